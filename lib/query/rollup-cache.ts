import { mergeHistograms } from "../domain/histogram";
import { hourBlocks, hoursOf } from "../domain/hour-blocks";
import {
  edgeTotals, hourVersions, qualityTotals, serviceTotals,
  type EdgeTotalsRow, type QualityTotalsRow, type ServiceTotalsRow,
} from "../db/graph-reads";
import type { Queryable } from "../db/pool";

export interface WindowTotals {
  edges: EdgeTotalsRow[];
  services: ServiceTotalsRow[];
  quality: QualityTotalsRow[];
}

const HOUR = 3_600_000;
/** Hours this recent still change with every epoch: kept as single-hour blocks. */
const HOT_MS = 2 * HOUR;
/** Blocks kept per database (least recently used go first); a block of 3,000 edges is a few hundred KiB. */
const MAX_BLOCKS = 96;

interface CachedBlock {
  versions: string;
  totals: WindowTotals;
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
      cache.set(key, { versions: v, totals: { edges, services, quality } });
      while (cache.size > MAX_BLOCKS) cache.delete(cache.keys().next().value!);
      return { edges, services, quality };
    }),
  );
  return { ...mergeWindowTotals(parts), blocksLoaded };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const maxText = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : cmp(a, b) >= 0 ? a : b);

/** Sums blocks the way the SQL sums rows (text columns by max, histograms merged); never mutates the blocks. */
export function mergeWindowTotals(parts: WindowTotals[]): WindowTotals {
  const edges = new Map<string, EdgeTotalsRow>();
  const services = new Map<string, ServiceTotalsRow>();
  const quality = new Map<string, QualityTotalsRow>();
  for (const part of parts) {
    for (const e of part.edges) {
      const key = `${e.source}\u0000${e.target}\u0000${e.connectionType}`;
      const m = edges.get(key);
      if (!m) {
        edges.set(key, { ...e, clientHist: { ...e.clientHist }, serverHist: { ...e.serverHist } });
        continue;
      }
      m.sourceType = maxText(m.sourceType, e.sourceType)!;
      m.targetType = maxText(m.targetType, e.targetType)!;
      m.broker = maxText(m.broker, e.broker);
      m.requests += e.requests;
      m.failed += e.failed;
      m.status4xx += e.status4xx;
      m.throttled += e.throttled;
      m.rawSpans += e.rawSpans;
      m.rawFailed += e.rawFailed;
      mergeHistograms(m.clientHist, e.clientHist);
      mergeHistograms(m.serverHist, e.serverHist);
    }
    for (const s of part.services) {
      const m = services.get(s.service);
      if (!m) services.set(s.service, { ...s, hist: { ...s.hist } });
      else {
        m.requests += s.requests;
        m.failed += s.failed;
        m.rawSpans += s.rawSpans;
        mergeHistograms(m.hist, s.hist);
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
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([, v]) => v);
  return { edges: sorted(edges), services: sorted(services), quality: sorted(quality) };
}
