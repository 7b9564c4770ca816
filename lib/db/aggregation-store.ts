import { copyChunkedTraces } from "./chunk-reads";
import type { AggSpan } from "../model/span";
import type { ServiceVersionSeen } from "../domain/pairing";
import { HISTOGRAM_SCHEME, percentiles } from "../model/histogram";
import { ascending } from "../domain/order";
import { EXAMPLE_LIMITS, EXEMPLAR_BAND_FACTOR, type Rollup } from "../domain/rollup";
import { EXAMPLE_COPY_COLUMNS } from "./tables";
import type { Queryable } from "./pool";

interface SpanRow extends Omit<AggSpan, "epoch" | "links" | "resourceAttributes" | "attributes"> {
  epoch: bigint | null;
  resourceId: string;
  attributesText: string;
  links: { traceId: string; spanId: string }[];
}

// Rows become spans whose attributes are parsed on first use (see AggSpan.attributesText): the getter lives on a
// shared prototype, so a span that never needs them costs no parse and no object.
type LazyRow = { attributesText: string; parsedAttributes?: AggSpan["attributes"] };
const lazyAttributes = Object.defineProperty({}, "attributes", {
  get(this: LazyRow) {
    return (this.parsedAttributes ??= JSON.parse(this.attributesText) as AggSpan["attributes"]);
  },
});

/** The epoch a stored span was committed in: the first whose bound is above its transaction id. */
const epochOf = (alias: string) =>
  `(SELECT e.epoch FROM ingest_epochs e WHERE e.xid_bound > ${alias}.ingest_xid ORDER BY e.xid_bound LIMIT 1)`;

const SPAN_COLUMNS = (alias: string, epoch = epochOf(alias)) => `
  encode(${alias}.trace_id, 'hex') AS "traceId", encode(${alias}.span_id, 'hex') AS "spanId",
  encode(${alias}.parent_span_id, 'hex') AS "parentSpanId", ${alias}.service_name AS "serviceName", ${alias}.name, ${alias}.kind,
  ${alias}.start_ns AS "startNs", ${alias}.duration_ns AS "durationNs", ${alias}.status_code AS "statusCode",
  ${alias}.status_message AS "statusMessage", ${alias}.trace_state AS "traceState", ${alias}.attributes::text AS "attributesText",
  encode(${alias}.resource_id, 'hex') AS "resourceId", ${alias}.links,
  ${epoch} AS epoch`;

// Spans reference their resource by id (resources table): each is read and parsed once, and its object shared (read
// only) by every span of it, instead of a parsed copy per span of the epoch.
const resources = new Map<string, AggSpan["resourceAttributes"]>();
const MAX_RESOURCES = 10_000;

/** Loads the resources of `rows` not in the cache. */
async function loadResources(tx: Queryable, rows: SpanRow[]): Promise<void> {
  const ids = [...new Set(rows.map((r) => r.resourceId))];
  let missing = ids.filter((id) => !resources.has(id));
  if (missing.length === 0) return;
  if (resources.size + missing.length > MAX_RESOURCES) {
    resources.clear();
    missing = ids;
  }
  const found = await tx.unsafe<{ id: string; attributes: string }[]>(
    `SELECT encode(r.id, 'hex') AS id, r.attributes::text AS attributes
     FROM unnest($1::text[]) x JOIN resources r ON r.id = decode(x, 'hex')`,
    [missing],
  );
  for (const r of found) resources.set(r.id, JSON.parse(r.attributes) as AggSpan["resourceAttributes"]);
}

const NO_RESOURCE: AggSpan["resourceAttributes"] = Object.freeze({}) as AggSpan["resourceAttributes"];

// The row becomes the span in place: a copy of every row of an epoch was garbage the collector had to move.
const toAggSpan = (r: SpanRow): AggSpan => {
  Object.setPrototypeOf(r, lazyAttributes);
  const span = r as unknown as AggSpan;
  span.resourceAttributes = resources.get(r.resourceId) ?? NO_RESOURCE;
  // Spans committed after the newest epoch bound belong to no epoch yet: treat them as infinitely late.
  span.epoch = r.epoch === null ? Number.MAX_SAFE_INTEGER : Number(r.epoch);
  span.links = r.links?.length ? r.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })) : [];
  return span;
};

/**
 * `FROM` items giving `s`, the stored spans of the hex trace ids in the text[] parameter `param`: one primary-key
 * lookup per trace, whatever the statistics. The LATERAL is fenced by OFFSET 0 so the planner cannot turn it back
 * into a join, and callers filter `s` outside it (a filter inside got a bitmap of its whole range ANDed into each
 * lookup). As plain joins or `= ANY(SELECT ...)`, on a fresh partition without statistics, the planner sorted or
 * hashed every stored span instead: 1.5 s for the context of a 50k-span epoch, 250 ms for its example copy.
 */
const spansOfTraces = (param: string) =>
  `unnest(${param}::text[]) t, LATERAL (SELECT * FROM spans s WHERE s.trace_id = decode(t, 'hex') OFFSET 0) s`;

/** Which epoch's spans of which shard a batch holds. */
export interface BatchBounds {
  epoch: number;
  lower: bigint;
  upper: bigint;
  shard: number;
  count: number;
}

// The shard predicate on a span row, with the shard count and number as parameters. The hash covers the whole id,
// so ids with fixed parts (64-bit ids padded with zeros, X-Ray's time prefix) still spread evenly.
const inShard = (count: string, shard: string) =>
  `(${count}::int = 1 OR (hashtext(encode(s.trace_id, 'hex')) & 2147483647) % ${count}::int = ${shard}::int)`;

/** The spans of one shard committed in one epoch: ingest_xid in [lower, upper) and the trace id's hash in the shard. */
export async function spansOfEpoch(tx: Queryable, b: BatchBounds): Promise<AggSpan[]> {
  const rows = await tx.unsafe<SpanRow[]>(
    // Every row here is of this epoch by its bounds: no need to look each one's epoch up.
    `SELECT ${SPAN_COLUMNS("s", "$5::bigint")} FROM spans s WHERE s.ingest_xid >= $1::xid8 AND s.ingest_xid < $2::xid8 AND ${inShard("$3", "$4")}`,
    [b.lower.toString(), b.upper.toString(), b.count, b.shard, b.epoch],
  );
  await loadResources(tx, rows);
  return rows.map(toAggSpan);
}

/**
 * Every other span that can pair with the batch and was committed below `windowUpper`: the rest of the batch's
 * traces, the producers its consumers link to, and the consumers (of any trace) that link to its producers. The
 * batch's own rows are left out (the caller has them): fetching each span twice was a good part of the work.
 * Three joins glued by UNION ALL: as one WHERE with ORs of sub-selects, PostgreSQL could use no index for them and
 * read every span below the window (seconds per epoch once millions are stored). Joins, not `= ANY(array)`: on a
 * table without statistics yet the planner chose a scan filtering each row through the unhashed array of 30k ids
 * (69 s for one epoch); a join is an index nested loop or a hash join, never quadratic. The trace-id lookup is
 * spansOfTraces: ~2 µs per span of the epoch.
 */
export async function pairingContext(
  tx: Queryable,
  batch: AggSpan[],
  b: BatchBounds,
  windowUpper: bigint,
): Promise<AggSpan[]> {
  const traceIds = [...new Set(batch.map((s) => s.traceId))];
  const linked = batch.flatMap((s) => s.links.filter((l) => l.traceId !== s.traceId));
  const producers = batch.filter((s) => s.kind === 4).map((s) => ({ traceId: s.traceId, spanId: s.spanId }));
  const visible = `s.ingest_xid < $1::xid8 AND NOT (s.ingest_xid >= $5::xid8 AND s.ingest_xid < $6::xid8 AND ${inShard("$7", "$8")})`;
  const rows = await tx.unsafe<SpanRow[]>(
    `SELECT ${SPAN_COLUMNS("s")} FROM ${spansOfTraces("$2")} WHERE ${visible}
     UNION ALL
     SELECT ${SPAN_COLUMNS("s")} FROM jsonb_array_elements($3::text::jsonb) l
     JOIN spans s ON s.trace_id = decode(l->>'traceId', 'hex') AND s.span_id = decode(l->>'spanId', 'hex')
     WHERE ${visible}
     UNION ALL
     SELECT ${SPAN_COLUMNS("s")} FROM jsonb_array_elements($4::text::jsonb) p
     JOIN spans s ON s.links <> '[]'::jsonb AND s.links @> jsonb_build_array(p)
     WHERE ${visible}`,
    [
      windowUpper.toString(),
      traceIds,
      JSON.stringify(linked),
      JSON.stringify(producers),
      b.lower.toString(),
      b.upper.toString(),
      b.count,
      b.shard,
    ],
  );
  await loadResources(tx, rows);
  // A span can answer more than one lookup (a linked producer in one of the batch's traces).
  const seen = new Set<string>();
  const unique: AggSpan[] = [];
  for (const r of rows) {
    const key = `${r.traceId}:${r.spanId}:${r.kind}:${r.startNs}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(toAggSpan(r));
  }
  return unique;
}

export type Granularity = "minute" | "hour";
// Table and time column per granularity: fixed names, never from input.
const TABLES = {
  minute: { edges: "edge_minutes", services: "service_minutes", quality: "quality_minutes", time: "minute" },
  hour: { edges: "edge_hours", services: "service_hours", quality: "quality_hours", time: "hour" },
} as const;

type MergedEdge = {
  bucket: Date;
  source: string;
  target: string;
  connection_type: string;
  client_hist: Record<string, number>;
  server_hist: Record<string, number>;
};

/** Adds one epoch's roll-up to the minute or hour tables. Runs inside the epoch's transaction. */
export async function writeRollup(tx: Queryable, r: Rollup, granularity: Granularity): Promise<void> {
  const t = TABLES[granularity];
  if (r.edges.length) {
    const merged = await tx.unsafe<MergedEdge[]>(
      `INSERT INTO ${t.edges} AS m (${t.time}, env, dims, source, target, connection_type, source_type, target_type, broker, requests,
         failed, status_4xx, throttled, raw_spans, raw_failed, client_hist, server_hist, hist_scheme)
       SELECT bucket, env, dims::jsonb, source, target, "connectionType", "sourceType", "targetType", broker, requests, failed,
         "status4xx", throttled, "rawSpans", "rawFailed", "clientHist", "serverHist", $2::smallint
       FROM jsonb_to_recordset($1::text::jsonb) AS x(bucket timestamptz, env text, dims text, source text, target text, "connectionType" text,
         "sourceType" text, "targetType" text, broker text, requests float8, failed float8, "status4xx" float8,
         throttled float8, "rawSpans" bigint, "rawFailed" bigint, "clientHist" jsonb, "serverHist" jsonb)
       ON CONFLICT (${t.time}, env, source, target, connection_type, dims, hist_scheme) DO UPDATE SET
         broker = coalesce(m.broker, EXCLUDED.broker),
         requests = m.requests + EXCLUDED.requests, failed = m.failed + EXCLUDED.failed,
         status_4xx = m.status_4xx + EXCLUDED.status_4xx, throttled = m.throttled + EXCLUDED.throttled,
         raw_spans = m.raw_spans + EXCLUDED.raw_spans, raw_failed = m.raw_failed + EXCLUDED.raw_failed,
         client_hist = tracemap_hist_merge(m.client_hist, EXCLUDED.client_hist),
         server_hist = tracemap_hist_merge(m.server_hist, EXCLUDED.server_hist)
       RETURNING ${t.time} AS bucket, source, target, connection_type, client_hist, server_hist`,
      [JSON.stringify(r.edges), HISTOGRAM_SCHEME],
    );
    if (r.examples.length) await writeExamples(tx, r, merged);
  }
  if (r.services.length) {
    await tx.unsafe(
      `INSERT INTO ${t.services} AS m (${t.time}, env, dims, service, operation, requests, failed, raw_spans, hist, hist_scheme)
       SELECT bucket, env, dims::jsonb, service, operation, requests, failed, "rawSpans", hist, $2::smallint
       FROM jsonb_to_recordset($1::text::jsonb) AS x(bucket timestamptz, env text, dims text, service text, operation text, requests float8, failed float8, "rawSpans" bigint, hist jsonb)
       ON CONFLICT (${t.time}, env, service, operation, dims, hist_scheme) DO UPDATE SET
         requests = m.requests + EXCLUDED.requests, failed = m.failed + EXCLUDED.failed,
         raw_spans = m.raw_spans + EXCLUDED.raw_spans, hist = tracemap_hist_merge(m.hist, EXCLUDED.hist)`,
      [JSON.stringify(r.services), HISTOGRAM_SCHEME],
    );
  }
  if (r.quality.length) {
    await tx.unsafe(
      `INSERT INTO ${t.quality} AS m (${t.time}, env, service, orphan_spans, unpaired_client_spans, unpaired_server_spans, root_server_spans)
       SELECT bucket, env, service, "orphanSpans", "unpairedClientSpans", "unpairedServerSpans", "rootServerSpans"
       FROM jsonb_to_recordset($1::text::jsonb) AS x(bucket timestamptz, env text, service text, "orphanSpans" bigint, "unpairedClientSpans" bigint,
         "unpairedServerSpans" bigint, "rootServerSpans" bigint)
       ON CONFLICT (${t.time}, env, service) DO UPDATE SET
         orphan_spans = m.orphan_spans + EXCLUDED.orphan_spans,
         unpaired_client_spans = m.unpaired_client_spans + EXCLUDED.unpaired_client_spans,
         unpaired_server_spans = m.unpaired_server_spans + EXCLUDED.unpaired_server_spans,
         root_server_spans = m.root_server_spans + EXCLUDED.root_server_spans`,
      [JSON.stringify(r.quality)],
    );
  }
}

/**
 * Adds this epoch's candidates, then keeps per edge and minute the slowest few, the first failed ones up to the
 * cap, the one typical example nearest the minute's merged median, and the slowest one per latency band.
 */
async function writeExamples(tx: Queryable, r: Rollup, merged: MergedEdge[]): Promise<void> {
  const added = await tx.unsafe<{ trace_id: Buffer }[]>(
    `INSERT INTO edge_examples (minute, source, target, connection_type, category, trace_id, span_id, start_time, duration_ns, failed, error_message)
     SELECT minute, source, target, "connectionType", category, decode("traceId", 'hex'), decode("spanId", 'hex'),
       timestamptz 'epoch' + ("startNs" / 1000) * interval '1 microsecond', "durationNs", failed, "errorMessage"
     FROM jsonb_to_recordset($1::text::jsonb) AS x(minute timestamptz, source text, target text, "connectionType" text, category text,
       "traceId" text, "spanId" text, "startNs" bigint, "durationNs" bigint, failed boolean, "errorMessage" text)
     ON CONFLICT DO NOTHING
     RETURNING trace_id`,
    [JSON.stringify(r.examples)],
  );
  await copyExampleTraces(tx, [...new Set(added.map((a) => a.trace_id.toString("hex")))]);
  // One median per edge and minute (the examples are per edge whatever the environment): the busiest environment's.
  const perEdge = new Map<string, MergedEdge>();
  for (const m of merged) {
    const k = `${m.bucket.toISOString()}\u0000${m.source}\u0000${m.target}\u0000${m.connection_type}`;
    const seen = perEdge.get(k);
    if (!seen || histWeight(m) > histWeight(seen)) perEdge.set(k, m);
  }
  const medians = [...perEdge.values()].map((m) => {
    const hist = Object.keys(m.client_hist).length ? m.client_hist : m.server_hist;
    return {
      minute: m.bucket,
      source: m.source,
      target: m.target,
      connectionType: m.connection_type,
      medianNs: Math.round((percentiles(hist).p50 ?? 0) * 1e6),
    };
  });
  await tx.unsafe(
    `WITH touched AS (
       SELECT minute, source, target, "connectionType" AS connection_type, "medianNs" AS median_ns
       FROM jsonb_to_recordset($1::text::jsonb) AS x(minute timestamptz, source text, target text, "connectionType" text, "medianNs" bigint)
     ), ranked AS (
       SELECT e.minute, e.source, e.target, e.connection_type, e.category, e.trace_id, e.span_id,
         row_number() OVER (
           PARTITION BY e.minute, e.source, e.target, e.connection_type, e.category,
             CASE WHEN e.category = 'exemplar' THEN floor(ln(greatest(e.duration_ns, 1)) / ln($6::float8)) END
           ORDER BY CASE e.category WHEN 'slowest' THEN -e.duration_ns WHEN 'exemplar' THEN -e.duration_ns
             WHEN 'typical' THEN abs(e.duration_ns - t.median_ns) ELSE 0 END,
             CASE WHEN e.category = 'errors' THEN e.start_time END, e.trace_id, e.span_id) AS n
       FROM edge_examples e JOIN touched t USING (minute, source, target, connection_type)
     )
     DELETE FROM edge_examples d USING ranked r
     WHERE d.minute = r.minute AND d.source = r.source AND d.target = r.target AND d.connection_type = r.connection_type
       AND d.category = r.category AND d.trace_id = r.trace_id AND d.span_id = r.span_id
       AND r.n > CASE r.category WHEN 'slowest' THEN $2::int WHEN 'errors' THEN $3::int WHEN 'typical' THEN $4::int ELSE $5::int END`,
    [
      JSON.stringify(medians),
      EXAMPLE_LIMITS.slowest,
      EXAMPLE_LIMITS.errors,
      EXAMPLE_LIMITS.typical,
      EXAMPLE_LIMITS.exemplar,
      EXEMPLAR_BAND_FACTOR,
    ],
  );
}

const histWeight = (m: MergedEdge) =>
  Object.values(Object.keys(m.client_hist).length ? m.client_hist : m.server_hist).reduce((a, b) => a + b, 0);

/** Copies the spans of newly chosen example traces, so they outlive the raw span partitions. */
export async function copyExampleTraces(tx: Queryable, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  await tx.unsafe(
    `INSERT INTO example_spans (${EXAMPLE_COPY_COLUMNS.join(", ")})
     SELECT ${EXAMPLE_COPY_COLUMNS.map((c) => `s.${c}`).join(", ")}
     FROM ${spansOfTraces("$1")}
     ON CONFLICT DO NOTHING`,
    [traceIds],
  );
  await copyChunkedTraces(tx, traceIds);
}

/**
 * Gives every minute and hour this epoch added to a new version, so cached blocks holding them are reloaded.
 * Called last in the epoch's transaction (in time order): shards touching the same minute wait on it only briefly.
 */
export async function bumpVersions(tx: Queryable, minutes: Rollup, hours: Rollup): Promise<void> {
  const bucketsOf = (r: Rollup) => [...new Set([...r.edges, ...r.services, ...r.quality].map((x) => x.bucket))].sort();
  for (const [table, column, buckets] of [
    ["rollup_minute_versions", "minute", bucketsOf(minutes)],
    ["rollup_hour_versions", "hour", bucketsOf(hours)],
  ] as const) {
    if (buckets.length === 0) continue;
    await tx.unsafe(
      `INSERT INTO ${table} AS v (${column}, version)
       SELECT b::timestamptz, nextval('rollup_version_seq') FROM unnest($1::text[]) b
       ON CONFLICT (${column}) DO UPDATE SET version = nextval('rollup_version_seq')`,
      [buckets],
    );
  }
}

/** Remembers each service's namespace; a span without one does not erase a known one. */
export async function writeServiceCatalog(
  tx: Queryable,
  rows: { service: string; namespace: string | null; lastSeenMs: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  rows = [...rows].sort((a, b) => ascending(a.service, b.service)); // lock order, see rollUp
  await tx.unsafe(
    `INSERT INTO service_catalog AS c (service, namespace, last_seen)
     SELECT service, namespace, to_timestamp("lastSeenMs" / 1000.0)
     FROM jsonb_to_recordset($1::text::jsonb) AS x(service text, namespace text, "lastSeenMs" float8)
     ON CONFLICT (service) DO UPDATE SET
       namespace = coalesce(EXCLUDED.namespace, c.namespace), last_seen = greatest(c.last_seen, EXCLUDED.last_seen)`,
    [JSON.stringify(rows)],
  );
}

/** Widens each (service, version)'s first/last seen; out-of-order epochs only ever widen it. */
export async function writeServiceVersions(tx: Queryable, rows: ServiceVersionSeen[]): Promise<void> {
  if (rows.length === 0) return;
  const key = (r: ServiceVersionSeen) => `${r.service}\u0000${r.version}`;
  rows = [...rows].sort((a, b) => ascending(key(a), key(b))); // lock order, see rollUp
  await tx.unsafe(
    `INSERT INTO service_versions AS v (service, version, first_seen, last_seen)
     SELECT service, version, to_timestamp("firstSeenMs" / 1000.0), to_timestamp("lastSeenMs" / 1000.0)
     FROM jsonb_to_recordset($1::text::jsonb) AS x(service text, version text, "firstSeenMs" float8, "lastSeenMs" float8)
     ON CONFLICT (service, version) DO UPDATE SET
       first_seen = least(v.first_seen, EXCLUDED.first_seen), last_seen = greatest(v.last_seen, EXCLUDED.last_seen)`,
    [JSON.stringify(rows)],
  );
}

/** Adds one epoch's per-edge totals (a roll-up with one bucket for all time) to the never-pruned counters. */
export async function writeEdgeCounters(tx: Queryable, r: Rollup): Promise<void> {
  if (r.edges.length === 0) return;
  await tx.unsafe(
    `INSERT INTO edge_counters AS c (source, target, connection_type, dims, requests, failed, client_hist, server_hist, source_type,
       target_type, hist_scheme)
     SELECT source, target, "connectionType", dims::jsonb, requests, failed, "clientHist", "serverHist", "sourceType", "targetType",
       $2::smallint
     FROM jsonb_to_recordset($1::text::jsonb) AS x(source text, target text, "connectionType" text, dims text, requests float8,
       failed float8, "clientHist" jsonb, "serverHist" jsonb, "sourceType" text, "targetType" text)
     ON CONFLICT (source, target, connection_type, dims, hist_scheme) DO UPDATE SET
       source_type = EXCLUDED.source_type, target_type = EXCLUDED.target_type,
       requests = c.requests + EXCLUDED.requests, failed = c.failed + EXCLUDED.failed,
       client_hist = tracemap_hist_merge(c.client_hist, EXCLUDED.client_hist),
       server_hist = tracemap_hist_merge(c.server_hist, EXCLUDED.server_hist)`,
    [JSON.stringify(r.edges), HISTOGRAM_SCHEME],
  );
}
