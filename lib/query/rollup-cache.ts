import { bucketCounts, mergeBucketCounts, type BucketCounts } from "../domain/histogram";
import { ascending } from "../domain/order";
import { hourBlocks, minuteBlocks, unitsOf, type TimeBlock } from "../domain/time-blocks";
import { splitByHour } from "../domain/time-range";
import {
  edgeTotals, qualityTotals, rollupVersions, serviceTotals,
  type EdgeTotalsRow, type QualityTotalsRow, type ServiceTotalsRow,
} from "../db/graph-reads";
import type { Queryable } from "../db/pool";

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Minutes and hours this recent still change with every epoch: kept as blocks of one. */
const HOT_MINUTES_MS = 2 * MINUTE;
const HOT_HOURS_MS = 2 * HOUR;
/** Blocks kept per database (least recently used go first); a block of 3,000 edges is about 1 MiB. */
const MAX_BLOCKS = 64;

type EdgeFigures = Omit<EdgeTotalsRow, "clientHist" | "serverHist">;
type ServiceFigures = Omit<ServiceTotalsRow, "hist">;

/** Totals with histograms as BucketCounts, which are cheap to keep and to merge in bulk. */
export interface WindowTotals {
  edges: { row: EdgeFigures; client: BucketCounts; server: BucketCounts }[];
  services: { row: ServiceFigures; hist: BucketCounts }[];
  quality: QualityTotalsRow[];
}

interface CachedBlock {
  versions: string;
  totals: Promise<WindowTotals>;
}

/** SQL totals in the form the cache keeps. */
export function compactTotals(edges: EdgeTotalsRow[], services: ServiceTotalsRow[], quality: QualityTotalsRow[]): WindowTotals {
  return {
    edges: edges.map(({ clientHist, serverHist, ...row }) => ({ row, client: bucketCounts(clientHist), server: bucketCounts(serverHist) })),
    services: services.map(({ hist, ...row }) => ({ row, hist: bucketCounts(hist) })),
    quality,
  };
}

// Per pool, so processes (and tests) with several databases never mix them.
interface PoolCache {
  blocks: Map<string, CachedBlock>;
  /** Block plans asked for before (the last few hundred): a first sight is read directly. */
  seenPlans: Set<string>;
}
const caches = new WeakMap<object, PoolCache>();

/** Blocks loaded at once: more only queue up in the pool and compete for the same cores. */
const LOAD_CONCURRENCY = 2;
/** With this many blocks to (re)load, the answer comes from one query over the window instead. */
const DIRECT_READ_BLOCKS = 3;

function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

const loadLimit = limiter(LOAD_CONCURRENCY);

const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

/**
 * The blocks that cover what the roll-up SQL reads for [from, to): whole hours from hour rows, the ragged ends
 * from minute rows (a minute row counts when its start is in the window, hence the rounding up).
 */
function blocksOf(from: Date, to: Date, now: number): TimeBlock[] {
  const { head, hours, tail } = splitByHour(from, to);
  const minutes = (a: Date, b: Date) => minuteBlocks(ceilTo(a.getTime(), MINUTE), ceilTo(b.getTime(), MINUTE), now - HOT_MINUTES_MS);
  return [...minutes(...head), ...hourBlocks(hours[0].getTime(), hours[1].getTime(), now - HOT_HOURS_MS), ...minutes(...tail)];
}

/**
 * Edge, service and quality totals over [from, to), exactly what the roll-up SQL returns for it, merged from
 * cached blocks of minutes and hours. A block is reloaded (with that same SQL over the block) only when one of its
 * minutes or hours has a new version, which every epoch that adds to it gives it; versions are read before the
 * rows, so a block is never older than the versions it is filed under. A live map then costs a versions lookup,
 * the block that is still filling and a merge in memory, instead of merging tens of thousands of rows each time.
 */
export async function cachedTotals(sql: Queryable, from: Date, to: Date, now = Date.now()): Promise<WindowTotals & { blocksLoaded: number; direct: boolean }> {
  const versions = await rollupVersions(sql, from, new Date(ceilTo(to.getTime(), MINUTE)));
  let cache = caches.get(sql);
  if (!cache) caches.set(sql, (cache = { blocks: new Map(), seenPlans: new Set() }));
  const { blocks, seenPlans } = cache;
  const plan = blocksOf(from, to, now).map((block) => {
    const unit = block.unit === HOUR ? "h" : "m";
    const key = `${unit}${block.start}:${block.count}`;
    const versionsOf = unitsOf(block).map((t) => versions.get(`${unit}${t}`) ?? "-").join(",");
    const hit = blocks.get(key);
    blocks.delete(key); // re-inserted on use: Map order is the LRU order
    return { block, key, versionsOf, hit: hit?.versions === versionsOf ? hit : undefined };
  });
  const use = (p: (typeof plan)[number]): Promise<WindowTotals> => {
    let entry = p.hit;
    if (!entry) {
      const range = [new Date(p.block.start), new Date(p.block.start + p.block.count * p.block.unit)] as const;
      const loading: CachedBlock = (entry = { versions: p.versionsOf, totals: loadLimit(() => readTotals(sql, ...range)) });
      // A failed load is forgotten, so the next read tries again.
      loading.totals.catch(() => blocks.get(p.key) === loading && blocks.delete(p.key));
    }
    blocks.set(p.key, entry);
    while (blocks.size > MAX_BLOCKS) blocks.delete(blocks.keys().next().value!);
    return entry.totals; // loaded, or still loading for another read
  };
  const stale = plan.filter((p) => !p.hit).length;
  const planKey = plan.map((p) => p.key).join(" ");
  if (stale >= DIRECT_READ_BLOCKS && !seenBefore(seenPlans, planKey)) {
    // A window seen for the first time with little of it cached: one query over the whole window answers sooner
    // than many block queries, and loading blocks behind it would compete with whatever draws the answer. Asked
    // again (a live map refreshes), the blocks are loaded and then kept.
    for (const p of plan) if (p.hit) blocks.set(p.key, p.hit); // the blocks it had stay cached
    return { ...(await readTotals(sql, from, to)), blocksLoaded: 0, direct: true };
  }
  return { ...mergeWindowTotals(await Promise.all(plan.map(use))), blocksLoaded: stale, direct: false };
}

/** Whether this block plan was asked for before; remembers it (and the last few hundred others). */
function seenBefore(seen: Set<string>, planKey: string): boolean {
  if (seen.has(planKey)) return true;
  seen.add(planKey);
  if (seen.size > 256) seen.delete(seen.values().next().value!);
  return false;
}

async function readTotals(sql: Queryable, from: Date, to: Date): Promise<WindowTotals> {
  const [edges, services, quality] = await Promise.all([edgeTotals(sql, from, to), serviceTotals(sql, from, to), qualityTotals(sql, from, to)]);
  return compactTotals(edges, services, quality);
}

const maxText = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : ascending(a, b) >= 0 ? a : b);

// `row` is a cached block's own object until a second block adds to it; then it is a copy (copy on write).
interface EdgeAcc {
  row: EdgeFigures;
  copied: boolean;
  client: BucketCounts[];
  server: BucketCounts[];
}

/** Sums blocks the way the SQL sums rows (text columns by max, histograms merged); never mutates the blocks. */
function mergeWindowTotals(parts: WindowTotals[]): WindowTotals {
  // Nested maps rather than a joined key: no string is built per row.
  const edges = new Map<string, Map<string, Map<string, EdgeAcc>>>();
  const services = new Map<string, { row: ServiceFigures; copied: boolean; hists: BucketCounts[] }>();
  const quality = new Map<string, QualityTotalsRow>();
  for (const part of parts) {
    for (const { row: e, client, server } of part.edges) {
      let byTarget = edges.get(e.source);
      if (!byTarget) edges.set(e.source, (byTarget = new Map()));
      let byType = byTarget.get(e.target);
      if (!byType) byTarget.set(e.target, (byType = new Map()));
      const acc = byType.get(e.connectionType);
      if (!acc) {
        byType.set(e.connectionType, { row: e, copied: false, client: [client], server: [server] });
        continue;
      }
      if (!acc.copied) (acc.row = { ...acc.row }), (acc.copied = true);
      const m = acc.row;
      m.sourceType = maxText(m.sourceType, e.sourceType)!;
      m.targetType = maxText(m.targetType, e.targetType)!;
      m.broker = maxText(m.broker, e.broker);
      m.requests += e.requests;
      m.failed += e.failed;
      m.status4xx += e.status4xx;
      m.throttled += e.throttled;
      m.rawSpans += e.rawSpans;
      m.rawFailed += e.rawFailed;
      acc.client.push(client);
      acc.server.push(server);
    }
    for (const { row: s, hist } of part.services) {
      const acc = services.get(s.service);
      if (!acc) services.set(s.service, { row: s, copied: false, hists: [hist] });
      else {
        if (!acc.copied) (acc.row = { ...acc.row }), (acc.copied = true);
        acc.row.requests += s.requests;
        acc.row.failed += s.failed;
        acc.row.rawSpans += s.rawSpans;
        acc.hists.push(hist);
      }
    }
    for (const q of part.quality) {
      const m = quality.get(q.service);
      if (!m) quality.set(q.service, { ...q });
      else {
        m.orphanSpans += q.orphanSpans;
        m.unpairedClientSpans += q.unpairedClientSpans;
        m.unpairedServerSpans += q.unpairedServerSpans;
        m.rootServerSpans += q.rootServerSpans;
      }
    }
  }
  const edgeRows: WindowTotals["edges"] = [];
  for (const byTarget of edges.values()) {
    for (const byType of byTarget.values()) {
      for (const acc of byType.values()) edgeRows.push({ row: acc.row, client: mergeBucketCounts(acc.client), server: mergeBucketCounts(acc.server) });
    }
  }
  edgeRows.sort((a, b) => ascending(a.row.source, b.row.source) || ascending(a.row.target, b.row.target) || ascending(a.row.connectionType, b.row.connectionType));
  const serviceRows = [...services.values()].map((a) => ({ row: a.row, hist: mergeBucketCounts(a.hists) }));
  serviceRows.sort((a, b) => ascending(a.row.service, b.row.service));
  return { edges: edgeRows, services: serviceRows, quality: [...quality.values()].sort((a, b) => ascending(a.service, b.service)) };
}
