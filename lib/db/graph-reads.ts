import type { Window } from "../model/window";
import { HISTOGRAM_SCHEME, type Histogram } from "../model/histogram";
import type { EdgeCounterRow } from "../domain/service-graph-metrics";
import { splitByHour } from "../model/window";
import type { Queryable } from "./pool";

/**
 * A FROM source covering [from, to) exactly once: whole hours from the hour table, the ragged ends from the
 * minute table. Its parameters are `rangeParams(w)`: $1..$6 the times, $7 the environments, $8 the dimension
 * filter. Table names are fixed, never from input.
 */
export function rollupSource(table: "edge" | "service" | "quality", columns: string, where = "TRUE"): string {
  const scheme = table === "quality" ? "" : ` AND ${CURRENT_SCHEME}`;
  const rows = `(${where}) AND ($7::text[] IS NULL OR env = ANY($7::text[])) AND ${dimsMatch(table, "$8")}${scheme}`;
  return `(SELECT ${columns} FROM ${table}_minutes WHERE ${rows} AND ((minute >= $1 AND minute < $2) OR (minute >= $5 AND minute < $6))
     UNION ALL SELECT ${columns} FROM ${table}_hours WHERE ${rows} AND hour >= $3 AND hour < $4) AS r`;
}

/** Rows whose histograms this code's bucket scheme reads (a constant, never from input). */
export const CURRENT_SCHEME = `hist_scheme = ${HISTOGRAM_SCHEME}`;

/**
 * Whether a row holds the dimension filter in jsonb parameter `param` (null: no filter): a service row has each
 * value itself, an edge row on its caller's or its callee's side. Quality counts are not kept per dimension.
 */
export function dimsMatch(table: "edge" | "service" | "quality", param: string): string {
  // Text cast to jsonb: a parameter typed jsonb would be JSON-encoded once more by the driver.
  const filter = `${param}::text::jsonb`;
  if (table === "quality") return `(${filter} IS NULL OR TRUE)`; // typed, so the parameter is known
  if (table === "service") return `(${filter} IS NULL OR dims @> ${filter})`;
  return `(${filter} IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_each_text(${filter}) f
    WHERE f.value IS DISTINCT FROM dims->>('client_' || f.key) AND f.value IS DISTINCT FROM dims->>('server_' || f.key)))`;
}

/** A window's environments as a text[] parameter: null for all of them. */
export const envsParam = (w: Window): string[] | null => (w.envs?.length ? [...w.envs] : null);

/** A window's dimension filter as a jsonb parameter (text): null for none. */
export const dimsParam = (w: Window): string | null =>
  w.dims && Object.keys(w.dims).length > 0 ? JSON.stringify(w.dims) : null;

/** $1..$6: the window's minute head, whole hours and minute tail; $7: its environments (null: all); $8: dims. */
export function rangeParams(w: Window): (Date | string[] | string | null)[] {
  const { head, hours, tail } = splitByHour(w.from, w.to);
  return [head[0], head[1], hours[0], hours[1], tail[0], tail[1], envsParam(w), dimsParam(w)];
}

/**
 * Sums and merged histograms per group, set-based: every histogram is unnested into (bucket, weight) rows and
 * summed by a hash aggregate. Folding jsonb maps row by row (the tracemap_hist_sum aggregate) rebuilds the map
 * at every step and took over 15 s for a week of 3,000 edges; this is linear in the buckets read.
 * `rows` must yield the `keys`, the columns `sums` refers to, and the `hists` (jsonb) columns.
 */
export function mergedRollup(rows: string, keys: string[], sums: string, hists: Record<string, string>): string {
  const k = keys.join(", ");
  const histCtes = Object.entries(hists).map(
    ([_alias, col], i) =>
      `h${i} AS (SELECT ${k}, jsonb_object_agg(b, w) AS h FROM (
       SELECT ${k}, e.b, sum(e.w::float8) AS w FROM r, jsonb_each_text(r.${col}) AS e(b, w) GROUP BY ${k}, e.b) x GROUP BY ${k})`,
  );
  const histCols = Object.keys(hists).map((alias, i) => `coalesce(h${i}.h, '{}'::jsonb) AS "${alias}"`);
  const joins = Object.keys(hists)
    .map((_, i) => `LEFT JOIN h${i} USING (${k})`)
    .join(" ");
  return `WITH r AS MATERIALIZED (SELECT * FROM ${rows}),
    t AS (SELECT ${k}, ${sums} FROM r GROUP BY ${k}),
    ${histCtes.join(",\n    ")}
    SELECT t.*, ${histCols.join(", ")} FROM t ${joins} ORDER BY ${k}`;
}

export interface EdgeTotalsRow {
  source: string;
  target: string;
  connectionType: string;
  sourceType: string;
  targetType: string;
  broker: string | null;
  requests: number;
  failed: number;
  status4xx: number;
  throttled: number;
  rawSpans: bigint;
  rawFailed: bigint;
  clientHist: Histogram;
  serverHist: Histogram;
}

/**
 * Rows of `query` mapped one by one as they arrive, a thousand at a time: a window of a flood's tens of thousands
 * of edges never holds all their parsed histograms at once, only what `map` keeps of them.
 */
async function mappedRows<T extends object, R>(
  sql: Queryable,
  query: string,
  params: unknown[],
  map: (row: T) => R,
): Promise<R[]> {
  const out: R[] = [];
  await sql.unsafe<T[]>(query, params as never[]).cursor(1000, (rows) => {
    for (const r of rows) out.push(map(r));
  });
  return out;
}

/** Edge totals over [from, to), histograms merged in the database; each row through `map` as it arrives. */
export function edgeTotals(sql: Queryable, w: Window): Promise<EdgeTotalsRow[]>;
export function edgeTotals<R>(sql: Queryable, w: Window, map: (row: EdgeTotalsRow) => R): Promise<R[]>;
export function edgeTotals<R>(sql: Queryable, w: Window, map?: (row: EdgeTotalsRow) => R): Promise<R[]> {
  const each = map ?? ((r: EdgeTotalsRow) => r as R);
  return mappedRows(
    sql,
    mergedRollup(
      rollupSource(
        "edge",
        "source, target, connection_type, source_type, target_type, broker, requests, failed, status_4xx, throttled, raw_spans, raw_failed, client_hist, server_hist",
      ),
      ["source", "target", "connection_type"],
      `max(source_type) AS "sourceType", max(target_type) AS "targetType", max(broker) AS broker, sum(requests)::float8 AS requests,
       sum(failed)::float8 AS failed, sum(status_4xx)::float8 AS "status4xx", sum(throttled)::float8 AS throttled,
       sum(raw_spans)::bigint AS "rawSpans", sum(raw_failed)::bigint AS "rawFailed"`,
      { clientHist: "client_hist", serverHist: "server_hist" },
    ),
    rangeParams(w),
    ({ connection_type, ...r }: Omit<EdgeTotalsRow, "connectionType"> & { connection_type: string }) =>
      each({ ...r, connectionType: connection_type }),
  );
}

export interface ServiceTotalsRow {
  service: string;
  requests: number;
  failed: number;
  rawSpans: bigint;
  hist: Histogram;
}

export function serviceTotals(sql: Queryable, w: Window): Promise<ServiceTotalsRow[]>;
export function serviceTotals<R>(sql: Queryable, w: Window, map: (row: ServiceTotalsRow) => R): Promise<R[]>;
export function serviceTotals<R>(sql: Queryable, w: Window, map?: (row: ServiceTotalsRow) => R): Promise<R[]> {
  return mappedRows(
    sql,
    mergedRollup(
      rollupSource("service", "service, requests, failed, raw_spans, hist", "operation = ''"),
      ["service"],
      `sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, sum(raw_spans)::bigint AS "rawSpans"`,
      { hist: "hist" },
    ),
    rangeParams(w),
    map ?? ((r: ServiceTotalsRow) => r as R),
  );
}

export interface QualityTotalsRow {
  service: string;
  orphanSpans: bigint;
  unpairedClientSpans: bigint;
  unpairedServerSpans: bigint;
  rootServerSpans: bigint;
}

export async function qualityTotals(sql: Queryable, w: Window): Promise<QualityTotalsRow[]> {
  return sql.unsafe<QualityTotalsRow[]>(
    `SELECT service, sum(orphan_spans)::bigint AS "orphanSpans", sum(unpaired_client_spans)::bigint AS "unpairedClientSpans",
            sum(unpaired_server_spans)::bigint AS "unpairedServerSpans", sum(root_server_spans)::bigint AS "rootServerSpans"
     FROM ${rollupSource("quality", "service, orphan_spans, unpaired_client_spans, unpaired_server_spans, root_server_spans")}
     GROUP BY service ORDER BY service`,
    rangeParams(w),
  );
}

export interface EdgeBucketRow {
  bucket: Date;
  requests: number;
  failed: number;
  rawSpans: bigint;
  clientHist: Histogram;
  serverHist: Histogram;
}

/** The start of the `stepMs` step (parameter $1) a row's time falls in, aligned to the epoch. */
export const stepBucket = (time: string) =>
  `to_timestamp(floor(extract(epoch FROM ${time}) * 1000 / $1) * $1 / 1000.0)`;

/** One edge's figures grouped into steps of `stepMs`, aligned to the epoch; whole-hour steps read hour rows. */
export function edgeSeries(
  sql: Queryable,
  edge: { source: string; target: string; connectionType: string | null },
  w: Window,
  stepMs: number,
): Promise<EdgeBucketRow[]> {
  const [table, time] = stepMs % 3_600_000 === 0 ? ["edge_hours", "hour"] : ["edge_minutes", "minute"];
  return sql.unsafe<EdgeBucketRow[]>(
    mergedRollup(
      `(SELECT ${stepBucket(time)} AS bucket, requests, failed, raw_spans, client_hist, server_hist FROM ${table}
        WHERE source = $2 AND target = $3 AND ${time} >= $4 AND ${time} < $5 AND ($6::text IS NULL OR connection_type = $6)
          AND ($7::text[] IS NULL OR env = ANY($7::text[])) AND ${dimsMatch("edge", "$8")} AND ${CURRENT_SCHEME}) AS s`,
      ["bucket"],
      `sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, sum(raw_spans)::bigint AS "rawSpans"`,
      { clientHist: "client_hist", serverHist: "server_hist" },
    ),
    [stepMs, edge.source, edge.target, w.from, w.to, edge.connectionType, envsParam(w), dimsParam(w)],
  );
}

export interface ExampleTraceRow {
  traceId: string;
  spanId: string;
  start: Date;
  durationNs: bigint;
  failed: boolean;
  errorMessage: string | null;
  minute: Date;
}

const ORDER_BY: Record<string, string> = {
  slowest: "duration_ns DESC, start_time",
  errors: "start_time DESC",
  typical: "start_time DESC",
};

/** The slowest calls at or below `maxNs` in [from, to), from every kind of example kept (exemplars cover all bands). */
export function edgeExamplesAtOrBelow(
  sql: Queryable,
  edge: { source: string; target: string; connectionType: string | null },
  w: Window,
  maxNs: bigint,
  limit: number,
): Promise<ExampleTraceRow[]> {
  return sql<ExampleTraceRow[]>`
    SELECT DISTINCT ON (duration_ns, trace_id, span_id) encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId",
           start_time AS start, duration_ns AS "durationNs", failed, error_message AS "errorMessage", minute
    FROM edge_examples
    WHERE source = ${edge.source} AND target = ${edge.target} AND minute >= ${w.from} AND minute < ${w.to}
      AND duration_ns <= ${maxNs.toString()} AND (${edge.connectionType}::text IS NULL OR connection_type = ${edge.connectionType})
    ORDER BY duration_ns DESC, trace_id, span_id LIMIT ${limit}`;
}

export function edgeExamples(
  sql: Queryable,
  edge: { source: string; target: string; connectionType: string | null },
  w: Window,
  category: "slowest" | "errors" | "typical",
  limit: number,
): Promise<ExampleTraceRow[]> {
  return sql<ExampleTraceRow[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId", start_time AS start,
           duration_ns AS "durationNs", failed, error_message AS "errorMessage", minute
    FROM edge_examples
    WHERE source = ${edge.source} AND target = ${edge.target} AND minute >= ${w.from} AND minute < ${w.to}
      AND category = ${category} AND (${edge.connectionType}::text IS NULL OR connection_type = ${edge.connectionType})
    ORDER BY ${sql.unsafe(ORDER_BY[category]!)} LIMIT ${limit}`;
}

export interface NodeSeenRow {
  name: string;
  type: string;
  lastSeen: Date;
}

/** Every node the roll-ups know: services (from their own spans or as callers) and virtual nodes. */
export function nodesSeen(sql: Queryable, since: Date): Promise<NodeSeenRow[]> {
  return sql<NodeSeenRow[]>`
    SELECT name, CASE WHEN bool_or(type = 'service') THEN 'service' ELSE max(type) END AS type, max(last_seen) AS "lastSeen"
    FROM (
      SELECT service AS name, 'service' AS type, max(minute) AS last_seen FROM service_minutes WHERE minute >= ${since} GROUP BY service
      UNION ALL SELECT source, source_type, max(minute) FROM edge_minutes WHERE minute >= ${since} GROUP BY source, source_type
      UNION ALL SELECT target, target_type, max(minute) FROM edge_minutes WHERE minute >= ${since} GROUP BY target, target_type
    ) n GROUP BY name ORDER BY name`;
}

export function serviceNamespaceMap(sql: Queryable): Promise<{ service: string; namespace: string }[]> {
  return sql<
    { service: string; namespace: string }[]
  >`SELECT service, namespace FROM service_catalog WHERE namespace IS NOT NULL`;
}

const edgeCounterRows = (sql: Queryable) => sql<EdgeCounterRow[]>`
    SELECT source, target, connection_type AS "connectionType", requests, failed, client_hist AS "clientHist", server_hist AS "serverHist",
      source_type AS "sourceType", target_type AS "targetType", first_seen AS "firstSeen", dims
    FROM edge_counters WHERE hist_scheme = ${HISTOGRAM_SCHEME} ORDER BY source, target, connection_type, first_seen`;

/** Per-edge totals since the first span (the Tempo-compatible counters). */
export function edgeCounters(sql: Queryable): Promise<EdgeCounterRow[]> {
  return edgeCounterRows(sql);
}

/**
 * The same rows a few hundred at a time, each handed to `each` and then let go: a scrape after a flood reads tens
 * of thousands of edges, and holding all their histograms at once took hundreds of MB.
 */
export async function eachEdgeCounter(sql: Queryable, each: (row: EdgeCounterRow) => void): Promise<void> {
  await edgeCounterRows(sql).cursor(500, (rows) => {
    for (const r of rows) each(r);
  });
}

/** The version of every minute and hour in [from, to) that has roll-up rows (start in epoch ms -> version). */
export async function rollupVersions(sql: Queryable, w: Window): Promise<Map<string, string>> {
  const rows = await sql<{ unit: string; at: Date; version: bigint }[]>`
    SELECT 'm' AS unit, minute AS at, version FROM rollup_minute_versions WHERE minute >= ${w.from} AND minute < ${w.to}
    UNION ALL SELECT 'h', hour, version FROM rollup_hour_versions WHERE hour >= ${w.from} AND hour < ${w.to}`;
  return new Map(rows.map((r) => [`${r.unit}${r.at.getTime()}`, r.version.toString()]));
}

/** Which deployment environments each service reported in the window (all environments, whatever is shown). */
export function serviceEnvironments(sql: Queryable, w: Window): Promise<{ service: string; env: string }[]> {
  return sql.unsafe<{ service: string; env: string }[]>(
    `SELECT DISTINCT service, env FROM ${rollupSource("service", "service, env", "operation = ''")} ORDER BY 2, 1`,
    rangeParams({ from: w.from, to: w.to }),
  );
}

/** Each service's values of the configured dimensions in the window, busiest first (all environments and values). */
export function serviceDimensionValues(
  sql: Queryable,
  w: Window,
): Promise<{ service: string; key: string; value: string; requests: number }[]> {
  return sql.unsafe<{ service: string; key: string; value: string; requests: number }[]>(
    `SELECT r.service, d.key, d.value, sum(r.requests)::float8 AS requests
     FROM ${rollupSource("service", "service, dims, requests", "operation = '' AND dims <> '{}'::jsonb")},
       jsonb_each_text(r.dims) d
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3`,
    rangeParams({ from: w.from, to: w.to }),
  );
}
