import { CHUNK_SLICE_MS, type ChunkSpan, encodeChunk } from "../domain/trace-chunk";
import { addAttributeTokens, buildBloom } from "../domain/chunk-bloom";
import { dayOf, ensureSpanPartitions } from "./partitions";
import { startTimeText as startTime } from "./span-copy";
import { aggregatedXidBound } from "./epochs";
import type { Queryable, Sql } from "./pool";

/**
 * Compaction: raw spans older than `afterMinutes`, once rolled up, move out of `spans` into `trace_chunks`, one row
 * per trace and minute, its spans deflated together (lib/domain/trace-chunk.ts). Nothing is lost: trace by id, trace
 * search, pinning and Jaeger's lists read both tiers. A span committed after its slice was compacted (a very late
 * span) is in `spans`, where every reader finds it, until the late-span sweep moves it (sweepLateSpans).
 */
export interface Compaction {
  afterMinutes: number;
  /** Where compaction starts the first time: the oldest raw spans kept. */
  spanRetentionHours: number;
  /** Spans moved per transaction at most (SPANS_PER_PART unless a test wants many parts). */
  spansPerPart?: number;
}

/** Spans moved per transaction at most: a minute of spans at high rates is split by trace-id hash into parts. */
const SPANS_PER_PART = 10_000;
const PARTS_AT_ONCE = 2;
const EMPTY_STEP_MS = 3_600_000;
/** One compaction at a time, whatever the number of aggregator processes. */
const COMPACTION_LOCK_KEY = 72_707_372;

/** Per database pool, days whose chunk partition exists (compaction only moves forward; retention drops older days). */
const knownDays = new WeakMap<Sql, Set<number>>();

export interface CompactionPass {
  spans: number;
  chunks: number;
  until: Date;
}

/**
 * Compacts the next minutes of raw spans whose start is before now - afterMinutes, for about `budgetMs`; once caught
 * up, sweeps the late spans (see sweepLateSpans). Returns the spans moved, the chunks written and how far
 * compaction has come.
 */
export async function compactRawSpans(
  sql: Sql,
  c: Compaction,
  now = Date.now(),
  budgetMs = 5_000,
): Promise<CompactionPass> {
  const started = performance.now();
  const cutoff = now - c.afterMinutes * 60_000;
  const pass: CompactionPass = { spans: 0, chunks: 0, until: new Date(0) };
  const add = (moved: { spans: number; chunks: number }) => {
    pass.spans += moved.spans;
    pass.chunks += moved.chunks;
  };
  for (;;) {
    const [row] = await sql<{ until: Date }[]>`SELECT until FROM span_compaction WHERE id = 1`;
    const from =
      row?.until.getTime() ?? Math.floor((now - c.spanRetentionHours * 3_600_000) / CHUNK_SLICE_MS) * CHUNK_SLICE_MS;
    pass.until = new Date(from);
    if (from >= cutoff) {
      add(await sweepLateSpans(sql, pass.until, c.spansPerPart));
      return pass;
    }
    // An hour with no raw span at all (a new database, a quiet night) is passed in one step, not sixty.
    const empty = from + EMPTY_STEP_MS <= cutoff && !(await anySpans(sql, from, from + EMPTY_STEP_MS));
    const to = empty ? from + EMPTY_STEP_MS : Math.min(from + CHUNK_SLICE_MS, cutoff);
    if (!empty) add(await compactSlice(sql, from, to, c.spansPerPart));
    const advanced = await sql.begin(async (tx) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK_KEY}) AS ok`;
      if (!lock?.ok) return false;
      await tx`
        INSERT INTO span_compaction (id, until) VALUES (1, ${new Date(to)})
        ON CONFLICT (id) DO UPDATE SET until = greatest(span_compaction.until, EXCLUDED.until)`;
      return true;
    });
    pass.until = new Date(to);
    if (!advanced || performance.now() - started >= budgetMs) return pass;
  }
}

/**
 * Spans committed since the last sweep whose start is behind compaction's progress (a backlog an exporter sent after
 * an outage, a replay) are compacted too: their minutes were passed while they were not there. Found through the
 * ingest_xid index from the aggregated bound the previous sweep reached (span_compaction.swept_xid; the first sweep
 * looks at every raw span), so a sweep reads only what was committed since.
 */
async function sweepLateSpans(
  sql: Sql,
  until: Date,
  spansPerPart?: number,
): Promise<{ spans: number; chunks: number }> {
  const [state] = await sql<{ since: string | null; bound: string | null }[]>`
    SELECT (SELECT swept_xid::text FROM span_compaction WHERE id = 1) AS since, ${aggregatedXidBound(sql)}::text AS bound`;
  if (!state?.bound) return { spans: 0, chunks: 0 };
  const since = state.since ?? "0";
  const minutes = await sql<{ m: Date }[]>`
    SELECT DISTINCT date_trunc('minute', start_time) AS m FROM spans
    WHERE ingest_xid >= ${since}::xid8 AND ingest_xid < ${state.bound}::xid8 AND start_time < ${until}
    ORDER BY 1`;
  const moved = { spans: 0, chunks: 0 };
  for (const { m } of minutes) {
    const r = await compactSlice(
      sql,
      m.getTime(),
      Math.min(m.getTime() + CHUNK_SLICE_MS, until.getTime()),
      spansPerPart,
    );
    moved.spans += r.spans;
    moved.chunks += r.chunks;
  }
  await sql`UPDATE span_compaction SET swept_xid = greatest(swept_xid, ${state.bound}::xid8) WHERE id = 1`;
  return moved;
}

/** One slice [from, to) of rolled-up raw spans into chunks, in parts of at most SPANS_PER_PART. */
async function compactSlice(
  sql: Sql,
  from: number,
  to: number,
  spansPerPart = SPANS_PER_PART,
): Promise<{ spans: number; chunks: number }> {
  const known = knownDays.get(sql) ?? new Set<number>();
  if (!known.has(dayOf(from))) {
    await ensureSpanPartitions(sql, [dayOf(from)], "trace_chunks");
    known.add(dayOf(from));
    knownDays.set(sql, known);
  }
  const [{ n }] = await sql<[{ n: number }]>`
    SELECT count(*)::int AS n FROM spans WHERE start_time >= ${new Date(from)} AND start_time < ${new Date(to)}`;
  const parts = Math.max(1, Math.ceil(n / spansPerPart));
  // A part is the traces of one trace-id hash; one huge trace (a runaway loop, a hostile client) would make its part
  // as big as itself, so a part over twice the size is split again by span id: that trace gets several chunks.
  const sizes = parts === 1 ? [n] : await partSizes(sql, from, to, parts);
  const tasks = sizes.flatMap((size, part) => {
    const pieces = size > 2 * spansPerPart ? Math.ceil(size / spansPerPart) : 1;
    return Array.from({ length: pieces }, (_, piece) => ({ part, pieces, piece }));
  });
  const moved = { spans: 0, chunks: 0 };
  // Two parts at a time: one's DELETE and INSERT run in PostgreSQL while the other's spans are deflated here.
  for (let at = 0; at < tasks.length; at += PARTS_AT_ONCE) {
    const batch = tasks
      .slice(at, at + PARTS_AT_ONCE)
      .map((t) => sql.begin((tx) => compactPart(tx, new Date(from), new Date(to), { parts, ...t })));
    for (const r of await Promise.all(batch)) {
      moved.spans += r.spans;
      moved.chunks += r.chunks;
    }
  }
  return moved;
}

async function anySpans(sql: Sql, from: number, to: number): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM spans WHERE start_time >= ${new Date(from)} AND start_time < ${new Date(to)}) AS any`;
  return row?.any === true;
}

/** How many spans of the slice each trace-id hash part holds. */
async function partSizes(sql: Sql, from: number, to: number, parts: number): Promise<number[]> {
  const rows = await sql<{ part: number; n: number }[]>`
    SELECT (hashtext(encode(trace_id, 'hex')) & 2147483647) % ${parts}::int AS part, count(*)::int AS n FROM spans
    WHERE start_time >= ${new Date(from)} AND start_time < ${new Date(to)} GROUP BY 1`;
  const sizes = new Array<number>(parts).fill(0);
  for (const r of rows) sizes[r.part] = r.n;
  return sizes;
}

/** Which spans of a slice one transaction moves: a trace-id hash part, and a span-id piece of it. */
interface PartOfSlice {
  parts: number;
  part: number;
  pieces: number;
  piece: number;
}

interface MovedRow extends ChunkSpan {
  traceId: string;
}

/**
 * One part of a slice in one transaction: its rolled-up spans are deleted and written back as chunks, so a span is
 * in exactly one of the two tables whatever happens. Two compactors on one slice are safe: the second's DELETE finds
 * the rows already gone.
 */
async function compactPart(
  tx: Queryable,
  from: Date,
  to: Date,
  { parts, part, pieces, piece }: PartOfSlice,
): Promise<{ spans: number; chunks: number }> {
  const rows = await tx<MovedRow[]>`
    DELETE FROM spans s
    WHERE s.start_time >= ${from} AND s.start_time < ${to} AND s.ingest_xid < ${aggregatedXidBound(tx)}
      AND (${parts}::int = 1 OR (hashtext(encode(s.trace_id, 'hex')) & 2147483647) % ${parts}::int = ${part}::int)
      AND (${pieces}::int = 1 OR (hashtext(encode(s.span_id, 'hex')) & 2147483647) % ${pieces}::int = ${piece}::int)
    RETURNING encode(s.trace_id, 'hex') AS "traceId", encode(s.span_id, 'hex') AS "spanId",
      encode(s.parent_span_id, 'hex') AS "parentSpanId", s.trace_state AS "traceState",
      s.service_name AS "serviceName", s.name, s.kind, s.start_ns AS "startNs", s.duration_ns AS "durationNs",
      s.status_code AS "statusCode", s.status_message AS "statusMessage", s.scope_name AS "scopeName",
      s.scope_version AS "scopeVersion", encode(s.resource_id, 'hex') AS "resourceId",
      s.attributes::text AS "attributesText", s.events::text AS "eventsText", s.links::text AS "linksText"`;
  if (rows.length === 0) return { spans: 0, chunks: 0 };
  const byTrace = new Map<string, MovedRow[]>();
  for (const r of rows) {
    const spans = byTrace.get(r.traceId);
    if (spans) spans.push(r);
    else byTrace.set(r.traceId, [r]);
  }
  const chunks = [...byTrace].map(([traceId, spans]) => {
    let first = spans[0]!.startNs;
    let last = first;
    let maxDuration = 0n;
    for (const s of spans) {
      if (s.startNs < first) first = s.startNs;
      if (s.startNs > last) last = s.startNs;
      if (s.durationNs > maxDuration) maxDuration = s.durationNs;
    }
    return {
      t: traceId,
      f: startTime(first),
      l: startTime(last),
      n: spans.length,
      e: spans.some((s) => s.statusCode === 2),
      d: maxDuration.toString(),
      ...servicesOf(spans),
      p: encodeChunk(spans).toString("base64"),
      b: attributeFilter(spans).toString("base64"),
    };
  });
  await tx`
    INSERT INTO trace_chunks (trace_id, first_start, last_start, span_count, has_error, max_duration_ns, services,
                              payload, attribute_filter, service_spans)
    SELECT decode(x.t, 'hex'), x.f, x.l, x.n, x.e, x.d, x.s, decode(x.p, 'base64'), decode(x.b, 'base64'), x.c
    FROM jsonb_to_recordset(${JSON.stringify(chunks)}::text::jsonb)
      AS x(t text, f timestamptz, l timestamptz, n int, e boolean, d bigint, s text[], p text, b text, c int[])`;
  const names = new Map<string, { service: string; name: string; kind: number; seen: string }>();
  for (const r of rows) {
    const k = `${r.serviceName}\u0000${r.name}\u0000${r.kind}`;
    const seen = names.get(k);
    if (!seen) names.set(k, { service: r.serviceName, name: r.name, kind: r.kind, seen: startTime(r.startNs) });
    else if (startTime(r.startNs) > seen.seen) seen.seen = startTime(r.startNs);
  }
  await tx`
    INSERT INTO span_names (service, name, kind, last_seen)
    SELECT x.service, x.name, x.kind, x.seen
    FROM jsonb_to_recordset(${JSON.stringify([...names.values()])}::text::jsonb)
      AS x(service text, name text, kind smallint, seen timestamptz)
    ORDER BY 1, 2, 3
    ON CONFLICT (service, name, kind) DO UPDATE SET last_seen = greatest(span_names.last_seen, EXCLUDED.last_seen)`;
  return { spans: rows.length, chunks: chunks.length };
}

/** The chunk's Bloom filter of span attribute key=value pairs (the one place compaction parses attributes). */
function attributeFilter(spans: MovedRow[]): Buffer {
  const tokens = new Set<string>();
  for (const s of spans) addAttributeTokens(tokens, JSON.parse(s.attributesText) as Record<string, unknown>);
  return buildBloom(tokens);
}

/** The chunk's services and how many of its spans each has (services and service_spans). */
function servicesOf(spans: MovedRow[]): { s: string[]; c: number[] } {
  const counts = new Map<string, number>();
  for (const x of spans) counts.set(x.serviceName, (counts.get(x.serviceName) ?? 0) + 1);
  return { s: [...counts.keys()], c: [...counts.values()] };
}

/** How far compaction and retention by value have come (null: not yet run), for /metrics. */
export async function spanTierProgress(sql: Queryable): Promise<{ compacted: Date | null; thinned: Date | null }> {
  const [row] = await sql<{ compacted: Date | null; thinned: Date | null }[]>`
    SELECT (SELECT until FROM span_compaction WHERE id = 1) AS compacted,
           (SELECT until FROM raw_span_thinning WHERE id = 1) AS thinned`;
  return { compacted: row?.compacted ?? null, thinned: row?.thinned ?? null };
}

/** Forgets span names no stored span can have any more (last seen before the span retention). */
export async function pruneSpanNames(sql: Queryable, spanRetentionHours: number, now = Date.now()): Promise<number> {
  const result = await sql`
    DELETE FROM span_names WHERE last_seen < ${new Date(now - (spanRetentionHours + 24) * 3_600_000)}`;
  return result.count;
}
