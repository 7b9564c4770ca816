import { bucketCounts, mergeBucketCounts, type BucketCounts } from "../model/histogram";
import { ascending } from "../domain/order";
import { hourBlocks, minuteBlocks, unitsOf, type TimeBlock } from "../domain/time-blocks";
import { splitByHour, type Window } from "../model/window";
import {
  edgeTotals,
  qualityTotals,
  rollupVersions,
  serviceTotals,
  type EdgeTotalsRow,
  type QualityTotalsRow,
  type ServiceTotalsRow,
} from "../db/graph-reads";
import type { Queryable } from "../db/pool";

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Minutes and hours this recent still change with every epoch: kept as blocks of one. */
const HOT_MINUTES_MS = 2 * MINUTE;
const HOT_HOURS_MS = 2 * HOUR;
/** Blocks kept per database (least recently used go first); a block of 3,000 edges is about 1 MiB. */
const MAX_BLOCKS = 64;

/** An edge's summed counters, without its histograms. */
export type EdgeSums = Omit<EdgeTotalsRow, "clientHist" | "serverHist">;
export type ServiceFigures = Omit<ServiceTotalsRow, "hist">;

/** Totals with histograms as BucketCounts, which are cheap to keep and to merge in bulk. */
export interface WindowTotals<H = BucketCounts> {
  edges: { row: EdgeSums; client: H; server: H }[];
  services: { row: ServiceFigures; hist: H }[];
  quality: QualityTotalsRow[];
}

/**
 * Totals merged from blocks, each histogram still the list of the blocks' pieces: a read that reports percentiles
 * takes them from the list (mergedPercentiles) without building every sum.
 */
export type MergedTotals = WindowTotals<BucketCounts[]>;

/** Each histogram as its sum. */
export function summedTotals(t: MergedTotals): WindowTotals {
  return {
    edges: t.edges.map(({ row, client, server }) => ({
      row,
      client: mergeBucketCounts(client),
      server: mergeBucketCounts(server),
    })),
    services: t.services.map(({ row, hist }) => ({ row, hist: mergeBucketCounts(hist) })),
    quality: t.quality,
  };
}

const asMerged = (t: WindowTotals): MergedTotals => ({
  edges: t.edges.map(({ row, client, server }) => ({ row, client: [client], server: [server] })),
  services: t.services.map(({ row, hist }) => ({ row, hist: [hist] })),
  quality: t.quality,
});

interface CachedBlock {
  versions: string;
  totals: Promise<WindowTotals>;
}

const compactEdge = ({ clientHist, serverHist, ...row }: EdgeTotalsRow) => ({
  row,
  client: bucketCounts(clientHist),
  server: bucketCounts(serverHist),
});
const compactService = ({ hist, ...row }: ServiceTotalsRow) => ({ row, hist: bucketCounts(hist) });

/** Compacted rows in the order the cache keeps: by code units (whatever the database's collation), for mergeRuns. */
function sortedTotals(
  edges: WindowTotals["edges"],
  services: WindowTotals["services"],
  quality: QualityTotalsRow[],
): WindowTotals {
  return {
    edges: edges.sort(edgeOrder),
    services: services.sort((a, b) => byService(a.row, b.row)),
    quality: [...quality].sort(byService),
  };
}

/** SQL totals in the form the cache keeps (compact histograms, sorted). */
export function compactTotals(
  edges: EdgeTotalsRow[],
  services: ServiceTotalsRow[],
  quality: QualityTotalsRow[],
): WindowTotals {
  return sortedTotals(edges.map(compactEdge), services.map(compactService), quality);
}

// Per pool, so processes (and tests) with several databases never mix them.
interface PoolCache {
  blocks: Map<string, CachedBlock>;
  /** The settled blocks of recent windows merged (keyed by their keys and versions), the last few. */
  settled: Map<string, Promise<WindowTotals>>;
  /** Block plans asked for before (the last few hundred): a first sight is read directly. */
  seenPlans: Set<string>;
}
const caches = new WeakMap<object, Map<string, PoolCache>>();
/** Environment choices whose blocks are kept at once (least recently created go first). */
const MAX_ENV_CACHES = 8;

/**
 * Rows (edges and services) the cached blocks and merges of one pool may hold in all: 64 blocks of a flood's tens
 * of thousands of edges each would hold gigabytes. Past it the least recently used go first; a read still in
 * flight keeps what it uses.
 */
const MAX_CACHED_ROWS = 100_000;
const rowsOf = new WeakMap<Promise<WindowTotals>, number>();
const counted = (p: Promise<WindowTotals>) => {
  p.then((t) => rowsOf.set(p, t.edges.length + t.services.length)).catch(() => {});
  return p;
};

/** Drops least recently used blocks, then merges, of every scope of the pool until its rows fit the budget. */
function trimToBudget(pool: Map<string, PoolCache>): void {
  let rows = 0;
  for (const c of pool.values()) {
    for (const b of c.blocks.values()) rows += rowsOf.get(b.totals) ?? 0;
    for (const t of c.settled.values()) rows += rowsOf.get(t) ?? 0;
  }
  for (const c of pool.values()) {
    for (const map of [c.blocks, c.settled] as Map<string, CachedBlock | Promise<WindowTotals>>[]) {
      for (const [key, v] of map) {
        if (rows <= MAX_CACHED_ROWS) return;
        rows -= rowsOf.get(v instanceof Promise ? v : v.totals) ?? 0;
        map.delete(key);
      }
    }
  }
}

/** Blocks loaded at once: more only queue up in the pool and compete for the same cores. */
const LOAD_CONCURRENCY = 2;
/** With this many blocks to (re)load, the answer comes from one query over the window instead. */
const DIRECT_READ_BLOCKS = 3;
/** Merged settled parts kept: a few windows (24 h, 7 d, ...) at a time; each changes once a minute as it slides. */
const MAX_SETTLED = 8;

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
  const minutes = (a: Date, b: Date) =>
    minuteBlocks(ceilTo(a.getTime(), MINUTE), ceilTo(b.getTime(), MINUTE), now - HOT_MINUTES_MS);
  return [
    ...minutes(...head),
    ...hourBlocks(hours[0].getTime(), hours[1].getTime(), now - HOT_HOURS_MS),
    ...minutes(...tail),
  ];
}

/**
 * Edge, service and quality totals over [from, to), exactly what the roll-up SQL returns for it, merged from
 * cached blocks of minutes and hours. A block is reloaded (with that same SQL over the block) only when one of its
 * minutes or hours has a new version, which every epoch that adds to it gives it; versions are read before the
 * rows, so a block is never older than the versions it is filed under. A live map then costs a versions lookup,
 * the block that is still filling and a merge in memory, instead of merging tens of thousands of rows each time.
 */
export async function cachedTotals(
  sql: Queryable,
  from: Date,
  to: Date,
  now = Date.now(),
  scope: Scope = {},
): Promise<MergedTotals & { blocksLoaded: number; direct: boolean; settledReused: boolean }> {
  const versions = await rollupVersions(sql, { from, to: new Date(ceilTo(to.getTime(), MINUTE)) });
  // Each choice of environments and dimensions has blocks of its own; versions are shared (an epoch touches them all).
  const envKey = scopeKey(scope);
  let perEnv = caches.get(sql);
  if (!perEnv) caches.set(sql, (perEnv = new Map()));
  let cache = perEnv.get(envKey);
  if (!cache) {
    perEnv.set(envKey, (cache = { blocks: new Map(), settled: new Map(), seenPlans: new Set() }));
    while (perEnv.size > MAX_ENV_CACHES) perEnv.delete(perEnv.keys().next().value!);
  }
  const { blocks, settled, seenPlans } = cache;
  const plan = blocksOf(from, to, now).map((block) => {
    const unit = block.unit === HOUR ? "h" : "m";
    const key = `${unit}${block.start}:${block.count}`;
    const versionsOf = unitsOf(block)
      .map((t) => versions.get(`${unit}${t}`) ?? "-")
      .join(",");
    const hit = blocks.get(key);
    blocks.delete(key); // re-inserted on use: Map order is the LRU order
    return { block, key, versionsOf, hit: hit?.versions === versionsOf ? hit : undefined };
  });
  const use = (p: (typeof plan)[number]): Promise<WindowTotals> => {
    let entry = p.hit;
    if (!entry) {
      const range = [new Date(p.block.start), new Date(p.block.start + p.block.count * p.block.unit)] as const;
      const loading: CachedBlock = (entry = {
        versions: p.versionsOf,
        totals: counted(loadLimit(() => readTotals(sql, ...range, scope))),
      });
      // A failed load is forgotten, so the next read tries again.
      loading.totals.catch(() => blocks.get(p.key) === loading && blocks.delete(p.key));
    }
    keepRecent(blocks, p.key, entry, MAX_BLOCKS);
    return entry.totals; // loaded, or still loading for another read
  };
  // Settled blocks change only when late spans arrive, so their merge is kept and each read merges just the hot
  // blocks (the last minutes and hours, which every epoch changes) onto it: 5 parts instead of ~17 for 24 h.
  const cold = plan.filter((p) => !p.block.hot);
  const hot = plan.filter((p) => p.block.hot);
  const coldKey = cold.map((p) => `${p.key}=${p.versionsOf}`).join(" ");
  const settledTotals = settled.get(coldKey);
  const stale = (settledTotals ? hot : plan).filter((p) => !p.hit).length;
  const planKey = plan.map((p) => p.key).join(" ");
  if (stale >= DIRECT_READ_BLOCKS && !seenBefore(seenPlans, planKey)) {
    // A window seen for the first time with little of it cached: one query over the whole window answers sooner
    // than many block queries, and loading blocks behind it would compete with whatever draws the answer. Asked
    // again (a live map refreshes), the blocks are loaded and then kept.
    for (const p of plan) if (p.hit) blocks.set(p.key, p.hit); // the blocks it had stay cached
    return { ...asMerged(await readTotals(sql, from, to, scope)), blocksLoaded: 0, direct: true, settledReused: false };
  }
  let coldTotals = settledTotals;
  if (coldTotals) {
    for (const p of cold) if (p.hit) blocks.set(p.key, p.hit); // still recently used; missing ones are not needed
  } else {
    const merging = (coldTotals = counted(
      Promise.all(cold.map(use)).then((parts) => summedTotals(mergeWindowTotals(parts))),
    ));
    merging.catch(() => settled.get(coldKey) === merging && settled.delete(coldKey));
  }
  keepRecent(settled, coldKey, coldTotals, MAX_SETTLED);
  const parts = await Promise.all([coldTotals, ...hot.map(use)]);
  trimToBudget(perEnv);
  return {
    ...mergeWindowTotals(parts),
    blocksLoaded: stale,
    direct: false,
    settledReused: settledTotals !== undefined,
  };
}

/** Puts `key` last in `map` (Map order is the LRU order) and drops the least recently used beyond `max`. */
function keepRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}

/** Whether this block plan was asked for before; remembers it (and the last few hundred others). */
function seenBefore(seen: Set<string>, planKey: string): boolean {
  if (seen.has(planKey)) return true;
  seen.add(planKey);
  if (seen.size > 256) seen.delete(seen.values().next().value!);
  return false;
}

/** Which rows a window reads besides its times: environments and dimension values. */
export type Scope = Pick<Window, "envs" | "dims">;

/** One cache per scope: "all" when it has neither (the live map's usual case); [""] is spans without environment. */
function scopeKey({ envs = [], dims = {} }: Scope): string {
  const sortedDims = Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (envs.length === 0 && sortedDims.length === 0) return "all";
  return JSON.stringify([[...envs].sort(), sortedDims]);
}

async function readTotals(sql: Queryable, from: Date, to: Date, scope: Scope): Promise<WindowTotals> {
  const w = { from, to, ...scope };
  // Compacted as rows arrive: the parsed histograms of a whole window are never held at once.
  const [edges, services, quality] = await Promise.all([
    edgeTotals(sql, w, compactEdge),
    serviceTotals(sql, w, compactService),
    qualityTotals(sql, w),
  ]);
  return sortedTotals(edges, services, quality);
}

const maxText = (a: string | null, b: string | null) =>
  a === null ? b : b === null ? a : ascending(a, b) >= 0 ? a : b;

type EdgePart = WindowTotals["edges"][number];
const edgeOrder = (a: EdgePart, b: EdgePart) =>
  ascending(a.row.source, b.row.source) ||
  ascending(a.row.target, b.row.target) ||
  ascending(a.row.connectionType, b.row.connectionType);
const byService = (a: { service: string }, b: { service: string }) => ascending(a.service, b.service);

/**
 * The runs (each sorted by `order`, each key at most once) merged in order, every group of equal keys combined
 * into one. Cached blocks are kept sorted, so a merge is one pass: no lookups, no sort afterwards.
 */
function mergeRuns<T, R>(runs: T[][], order: (a: T, b: T) => number, combine: (group: T[]) => R): R[] {
  const at = runs.map(() => 0);
  const out: R[] = [];
  for (;;) {
    let min: T | undefined;
    for (let i = 0; i < runs.length; i++) {
      const x = runs[i]![at[i]!];
      if (x !== undefined && (min === undefined || order(x, min) < 0)) min = x;
    }
    if (min === undefined) return out;
    const group: T[] = [];
    for (let i = 0; i < runs.length; i++) {
      const x = runs[i]![at[i]!];
      if (x !== undefined && (x === min || order(x, min) === 0)) group.push(x), at[i]!++;
    }
    out.push(combine(group));
  }
}

/** Rows of one edge summed the way the SQL sums them (text columns by max), into a new row. */
export function sumEdgeRows(rows: EdgeSums[]): EdgeSums {
  const m = { ...rows[0]! };
  for (let i = 1; i < rows.length; i++) {
    const e = rows[i]!;
    m.sourceType = maxText(m.sourceType, e.sourceType)!;
    m.targetType = maxText(m.targetType, e.targetType)!;
    m.broker = maxText(m.broker, e.broker);
    m.requests += e.requests;
    m.failed += e.failed;
    m.status4xx += e.status4xx;
    m.throttled += e.throttled;
    m.rawSpans += e.rawSpans;
    m.rawFailed += e.rawFailed;
  }
  return m;
}

/** Rows of one service summed, into a new row. */
export function sumServiceRows(rows: ServiceFigures[]): ServiceFigures {
  const m = { ...rows[0]! };
  for (let i = 1; i < rows.length; i++) {
    const s = rows[i]!;
    m.requests += s.requests;
    m.failed += s.failed;
    m.rawSpans += s.rawSpans;
  }
  return m;
}

function combineEdges(group: EdgePart[]): MergedTotals["edges"][number] {
  const client = group.map((g) => g.client);
  const server = group.map((g) => g.server);
  if (group.length === 1) return { row: group[0]!.row, client, server }; // the block's own row: never mutated
  return { row: sumEdgeRows(group.map((g) => g.row)), client, server };
}

function combineServices(group: WindowTotals["services"]): MergedTotals["services"][number] {
  const hist = group.map((g) => g.hist);
  if (group.length === 1) return { row: group[0]!.row, hist };
  return { row: sumServiceRows(group.map((g) => g.row)), hist };
}

/** Quality counters of one service summed, into a new row. */
export function sumQualityRows(group: QualityTotalsRow[]): QualityTotalsRow {
  const m = { ...group[0]! };
  for (let i = 1; i < group.length; i++) {
    const q = group[i]!;
    m.orphanSpans += q.orphanSpans;
    m.unpairedClientSpans += q.unpairedClientSpans;
    m.unpairedServerSpans += q.unpairedServerSpans;
    m.rootServerSpans += q.rootServerSpans;
  }
  return m;
}

/** Sums blocks the way the SQL sums rows (text columns by max, histograms listed); never mutates the blocks. */
function mergeWindowTotals(parts: WindowTotals[]): MergedTotals {
  return {
    edges: mergeRuns(
      parts.map((p) => p.edges),
      edgeOrder,
      combineEdges,
    ),
    services: mergeRuns(
      parts.map((p) => p.services),
      (a, b) => byService(a.row, b.row),
      combineServices,
    ),
    quality: mergeRuns(
      parts.map((p) => p.quality),
      byService,
      sumQualityRows,
    ),
  };
}
