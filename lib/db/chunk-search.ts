import type { Window } from "../model/window";
import { parseChunk, inflateChunk } from "../domain/trace-chunk";
import { type ResourceMatches, spanMatches, startsWithin } from "../domain/span-match";
import { attributeTextNeedles, synthesizedTag, type TraceSearch } from "../domain/trace-search";
import type { Queryable } from "./pool";

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

/** Every span of a chunk starts within its minute's slice (lib/db/compaction.ts). */
const SLICE_MS = 60_000;
const CHUNKS_PER_FETCH = 500;

/**
 * The search over compacted spans: the chunks of the window that can hold a match (by their services, longest
 * span and error flag) are read newest first and decided span by span (lib/domain/span-match.ts). For the newest
 * first order it stops once `need` traces are found that start after every chunk left to read.
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
  const cursor = sql<{ traceId: string; lastStart: Date; payload: Buffer }[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", last_start AS "lastStart", payload FROM trace_chunks
    WHERE first_start >= ${new Date(w.from.getTime() - SLICE_MS)} AND first_start < ${w.to}
      AND last_start >= ${w.from}
      AND (${q.service}::text IS NULL OR services @> ARRAY[${q.service}::text])
      AND (${q.minMs}::float8 IS NULL OR max_duration_ns >= ${q.minMs}::float8 * 1e6)
      AND (${q.status !== "error"} OR has_error)
    ORDER BY last_start DESC`.cursor(CHUNKS_PER_FETCH);
  for await (const rows of cursor) {
    for (const row of rows) {
      const text = inflateChunk(row.payload);
      if (!prefilters.every((n) => text.includes(n.key) && (n.value === null || text.includes(n.value)))) continue;
      const spans = parseChunk(row.traceId, text);
      let best: RankedHit | null = null;
      for (const s of spans) {
        if (!spanMatches(s, q, w, r) || (best && s.durationNs <= best.durationNs)) continue;
        best = {
          traceId: row.traceId,
          spanId: s.spanId,
          service: s.serviceName,
          name: s.name,
          start: new Date(Number(s.startNs / 1_000_000n)),
          durationNs: s.durationNs,
          statusCode: s.statusCode,
          errors: 0,
        };
      }
      if (!best) continue;
      if (q.sort === "errors") best.errors = spans.filter((s) => s.statusCode === 2 && startsWithin(s.startNs, w)).length;
      const seen = hits.get(row.traceId);
      hits.set(row.traceId, seen ? mergeHits(seen, best) : best);
    }
    if (q.sort === "newest" && hits.size >= need) {
      const starts = [...hits.values()].map((h) => h.start.getTime()).sort((a, b) => b - a);
      const lastRead = rows[rows.length - 1]!.lastStart.getTime();
      if (starts[need - 1]! > lastRead) break;
    }
  }
  return [...hits.values()];
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

/** Whether any compacted span can be in the window: most searches of recent minutes need not look. */
export async function chunksInWindow(sql: Queryable, w: Window): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM trace_chunks WHERE first_start >= ${new Date(w.from.getTime() - SLICE_MS)}
      AND first_start < ${w.to}) AS any`;
  return row?.any === true;
}
