import { bucketCounts, mergeBucketCounts, type BucketCounts } from "../domain/histogram";
import { hourBlocks, hoursOf } from "../domain/hour-blocks";
import {
  edgeTotals, hourVersions, qualityTotals, serviceTotals,
  type EdgeTotalsRow, type QualityTotalsRow, type ServiceTotalsRow,
} from "../db/graph-reads";
import type { Queryable } from "../db/pool";

const HOUR = 3_600_000;
/** Hours this recent still change with every epoch: kept as single-hour blocks. */
const HOT_MS = 2 * HOUR;
/** Blocks kept per database (least recently used go first); a block of 3,000 edges is about 1 MiB. */
const MAX_BLOCKS = 48;

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
  totals: WindowTotals;
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
const caches = new WeakMap<object, Map<string, CachedBlock>>();

/**
 * Edge, service and quality totals over whole hours [from, to), merged from cached blocks of hours. A block is
 * reloaded (with the same merged SQL as an uncached read) only when one of its hours has a new version, which
 * every epoch that adds to an hour gives it; versions are read before the rows, so a block is never older than
 * the versions it is filed under. Repeated and sliding long-window reads of a live map then cost the versions,
 * the hot hours and a merge in memory instead of merging tens of thousands of hour rows each time.
 */
export async function hourlyTotals(sql: Queryable, from: Date, to: Date, now = Date.now()): Promise<WindowTotals & { blocksLoaded: number }> {
  const versions = await hourVersions(sql, from, to);
  let cache = caches.get(sql);
  if (!cache) caches.set(sql, (cache = new Map()));
  let blocksLoaded = 0;
  const parts = await Promise.all(
    hourBlocks(from.getTime(), to.getTime(), now - HOT_MS).map(async (block) => {
      const key = `${block.start}:${block.hours}`;
      const v = hoursOf(block).map((h) => versions.get(h) ?? "-").join(",");
      const hit = cache.get(key);
      cache.delete(key); // re-inserted below: Map order is the LRU order
      if (hit && hit.versions === v) {
        cache.set(key, hit);
        return hit.totals;
      }
      const range = [new Date(block.start), new Date(block.start + block.hours * HOUR)] as const;
      const [edges, services, quality] = await Promise.all([edgeTotals(sql, ...range), serviceTotals(sql, ...range), qualityTotals(sql, ...range)]);
      blocksLoaded++;
      const totals = compactTotals(edges, services, quality);
      cache.set(key, { versions: v, totals });
      while (cache.size > MAX_BLOCKS) cache.delete(cache.keys().next().value!);
      return totals;
    }),
  );
  return { ...mergeWindowTotals(parts), blocksLoaded };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const maxText = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : cmp(a, b) >= 0 ? a : b);

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
  edgeRows.sort((a, b) => cmp(a.row.source, b.row.source) || cmp(a.row.target, b.row.target) || cmp(a.row.connectionType, b.row.connectionType));
  const serviceRows = [...services.values()].map((a) => ({ row: a.row, hist: mergeBucketCounts(a.hists) }));
  serviceRows.sort((a, b) => cmp(a.row.service, b.row.service));
  return { edges: edgeRows, services: serviceRows, quality: [...quality.values()].sort((a, b) => cmp(a.service, b.service)) };
}
