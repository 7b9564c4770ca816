import type { Window } from "../model/window";
import { chunkLines, inflateChunk, parseSpanLine } from "../domain/trace-chunk";
import { type ResourceMatches, spanMatches, startsWithin } from "../domain/span-match";
import { bloomMayMatch } from "../domain/chunk-bloom";
import { attributeTextNeedles, synthesizedTag, type TraceSearch } from "../domain/trace-search";
import type { Queryable } from "./pool";
import { chunkOverlaps } from "./chunk-reads";

/** A matching trace: its longest matching span, and its error spans in the window when the sort needs them. */
export interface RankedHit {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  start: Date;
  durationNs: bigint;
  statusCode: number;
  errors: number;
}

/** Keys listed per round trip, and read (payloads) per round trip: a search stops between reads. */
const KEYS_PER_FETCH = 2_000;
const CHUNKS_PER_READ = 500;

interface ChunkKey {
  traceId: string;
  /** As text: a Date would drop the microseconds of the key. */
  firstStart: string;
  id: bigint;
  lastStart: Date;
  maxDurationNs: bigint;
  hasError: boolean;
  attributeFilter: Buffer | null;
}

/**
 * The search over compacted spans: the chunks of the window that can hold a match (by their services, longest
 * span and error flag) are listed in the search's order, and read a page at a time (listing keys first: sorting
 * the payloads themselves spilled to disk). Each span's line is scanned for the filters' text and only those that
 * can match are parsed and decided (lib/domain/span-match.ts). Each order stops once its first `need` traces are
 * certain (isSettled). Run on a pool, not
 * inside a transaction: the payload reads go beside the open listing.
 */
export async function searchChunks(
  sql: Queryable,
  q: TraceSearch,
  w: Window,
  r: ResourceMatches,
  need: number,
): Promise<RankedHit[]> {
  const hits = new Map<string, RankedHit>();
  const prefilters = q.attributes.flatMap((f, i) => {
    const needles = attributeTextNeedles(f);
    return needles && !r.perFilter[i]?.size && !synthesizedTag(f) ? [needles] : [];
  });
  // Filters a chunk's Bloom filter can rule out: those no resource and no span field can meet instead.
  const bloomed = q.attributes.filter((f, i) => !r.perFilter[i]?.size && !synthesizedTag(f));
  const order =
    q.sort === "longest"
      ? sql`max_duration_ns DESC`
      : q.sort === "errors"
        ? sql`has_error DESC, last_start DESC`
        : sql`last_start DESC`;
  const keys = sql<ChunkKey[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", first_start::text AS "firstStart", id, last_start AS "lastStart",
           max_duration_ns AS "maxDurationNs", has_error AS "hasError",
           CASE WHEN ${bloomed.length > 0} THEN attribute_filter END AS "attributeFilter"
    FROM trace_chunks
    WHERE ${chunkOverlaps(sql, w)}
      AND (${q.service}::text IS NULL OR services @> ARRAY[${q.service}::text])
      AND (${q.minMs}::float8 IS NULL OR max_duration_ns >= ${q.minMs}::float8 * 1e6)
      AND (${q.status !== "error"} OR has_error)
    ORDER BY ${order}`.cursor(KEYS_PER_FETCH);
  for await (const page of keys)
    for (let at = 0; at < page.length; at += CHUNKS_PER_READ) {
      const read = page.slice(at, at + CHUNKS_PER_READ);
      const wanted = read.filter(
        (k) => !k.attributeFilter || bloomed.every((f) => bloomMayMatch(k.attributeFilter!, f)),
      );
      for (const row of await payloads(sql, wanted)) {
        const hit = chunkHit(row.traceId, inflateChunk(row.payload), q, w, r, prefilters);
        if (!hit) continue;
        const seen = hits.get(row.traceId);
        hits.set(row.traceId, seen ? mergeHits(seen, hit) : hit);
      }
      // Every chunk not read yet comes after the last one read in the listing's order.
      if (hits.size >= need && isSettled(q.sort, [...hits.values()].sort(compareHits(q.sort))[need - 1]!, read.at(-1)!))
        return [...hits.values()];
    }
  return [...hits.values()];
}

/**
 * Whether the `need`-th hit so far (kth) stays ahead of anything in the chunks left, which come after `last` in
 * the listing's order: newer than their last start, longer than their longest span, or, by most errors, ahead of
 * traces without errors once only chunks without one are left.
 */
function isSettled(sort: TraceSearch["sort"], kth: RankedHit, last: ChunkKey): boolean {
  if (sort === "longest") return kth.durationNs > last.maxDurationNs;
  if (sort === "errors") return !last.hasError && (kth.errors > 0 || kth.start > last.lastStart);
  return kth.start > last.lastStart;
}

/** The payloads of a page of chunk keys, by primary key. */
async function payloads(sql: Queryable, page: ChunkKey[]) {
  if (page.length === 0) return [];
  return sql<{ traceId: string; payload: Buffer }[]>`
    SELECT k.t AS "traceId", c.payload
    FROM unnest(${page.map((k) => k.traceId)}::text[], ${page.map((k) => k.firstStart)}::text[]::timestamptz[],
                ${page.map((k) => k.id.toString())}::bigint[]) AS k(t, f, i),
      LATERAL (SELECT payload FROM trace_chunks c
               WHERE c.trace_id = decode(k.t, 'hex') AND c.first_start = k.f AND c.id = k.i OFFSET 0) c`;
}

/** A chunk's longest matching span, or null; its error spans in the window when the sort needs them. */
function chunkHit(
  traceId: string,
  text: string,
  q: TraceSearch,
  w: Window,
  r: ResourceMatches,
  prefilters: { key: string; value: string | null }[],
): RankedHit | null {
  const mayMatch = (t: string) =>
    prefilters.every((n) => t.includes(n.key) && (n.value === null || t.includes(n.value)));
  if (!mayMatch(text)) return null;
  const { t0, lines } = chunkLines(text);
  // By most errors every span is read once: its error counts whether or not it matches.
  const counting = q.sort === "errors";
  let errors = 0;
  let best: RankedHit | null = null;
  for (const line of lines) {
    if (!counting && !mayMatch(line)) continue;
    const s = parseSpanLine(traceId, t0, line);
    if (counting && s.statusCode === 2 && startsWithin(s.startNs, w)) errors++;
    if (!spanMatches(s, q, w, r) || (best && s.durationNs <= best.durationNs)) continue;
    best = {
      traceId,
      spanId: s.spanId,
      service: s.serviceName,
      name: s.name,
      start: new Date(Number(s.startNs / 1_000_000n)),
      durationNs: s.durationNs,
      statusCode: s.statusCode,
      errors: 0,
    };
  }
  if (best) best.errors = errors;
  return best;
}

/** One trace found in two places (two chunks, or raw and compacted): its longest span stands for it. */
export function mergeHits(a: RankedHit, b: RankedHit): RankedHit {
  const longer = b.durationNs > a.durationNs ? b : a;
  return { ...longer, errors: a.errors + b.errors };
}

/** The search's order: newest, longest, or most error spans (then newest). */
export function compareHits(sort: TraceSearch["sort"]): (a: RankedHit, b: RankedHit) => number {
  const newest = (a: RankedHit, b: RankedHit) => b.start.getTime() - a.start.getTime();
  if (sort === "longest")
    return (a, b) => (a.durationNs !== b.durationNs ? (b.durationNs > a.durationNs ? 1 : -1) : newest(a, b));
  if (sort === "errors") return (a, b) => b.errors - a.errors || newest(a, b);
  return newest;
}
