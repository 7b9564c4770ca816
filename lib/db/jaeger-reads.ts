import type { Window } from "../model/window";
import type { Queryable } from "./pool";
import { chunkedSpansOfTraces, notStoredRaw } from "./chunk-reads";
import { envsParam } from "./graph-reads";
import { HISTOGRAM_SCHEME } from "../model/histogram";

// Compacted spans are not read for these lists: compaction keeps each service's span names and kinds, with the
// last start seen, in span_names.

/** Services with spans stored since `since`, raw or compacted. */
export async function spanServices(sql: Queryable, since: Date): Promise<string[]> {
  const rows = await sql<{ service: string }[]>`
    SELECT service_name AS service FROM spans WHERE start_time >= ${since}
    UNION SELECT service FROM span_names WHERE last_seen >= ${since} ORDER BY 1`;
  return rows.map((r) => r.service);
}

/** A service's span names since `since` (every kind, as Jaeger lists them), raw or compacted. */
export async function serviceOperations(sql: Queryable, service: string, since: Date): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT name FROM spans WHERE service_name = ${service} AND start_time >= ${since}
    UNION SELECT name FROM span_names WHERE service = ${service} AND last_seen >= ${since}
    ORDER BY 1 LIMIT 2000`;
  return rows.map((r) => r.name);
}

/** Distinct (span name, kind) of a service since `since`, optionally of one kind. */
export async function serviceOperationKinds(
  sql: Queryable,
  service: string,
  kind: number | null,
  since: Date,
): Promise<{ name: string; kind: number }[]> {
  return sql<{ name: string; kind: number }[]>`
    SELECT name, kind FROM spans
    WHERE service_name = ${service} AND start_time >= ${since} AND (${kind}::int IS NULL OR kind = ${kind}::int)
    UNION SELECT name, kind FROM span_names
    WHERE service = ${service} AND last_seen >= ${since} AND (${kind}::int IS NULL OR kind = ${kind}::int)
    ORDER BY 1, 2 LIMIT 2000`;
}

export interface SummarySpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  serviceName: string;
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  statusCode: number;
}

/** The few fields a trace summary needs of every span of these traces (raw and compacted, else example copies). */
export async function summarySpans(sql: Queryable, traceIdsHex: string[]): Promise<SummarySpanRow[]> {
  if (traceIdsHex.length === 0) return [];
  const read = (table: "spans" | "example_spans", ids: string[]) => sql<SummarySpanRow[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId",
           encode(parent_span_id, 'hex') AS "parentSpanId", service_name AS "serviceName", name, kind,
           start_ns AS "startNs", duration_ns AS "durationNs", status_code AS "statusCode"
    FROM ${sql(table)}
    WHERE trace_id = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(${ids}::text[]) AS x))`;
  const [hot, chunked] = await Promise.all([read("spans", traceIdsHex), chunkedSpansOfTraces(sql, traceIdsHex)]);
  const raw = [
    ...hot,
    ...notStoredRaw(hot, chunked).map((s) => ({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      serviceName: s.serviceName,
      name: s.name,
      kind: s.kind,
      startNs: s.startNs,
      durationNs: s.durationNs,
      statusCode: s.statusCode,
    })),
  ];
  const found = new Set(raw.map((r) => r.traceId));
  const missing = traceIdsHex.filter((id) => !found.has(id));
  return missing.length > 0 ? [...raw, ...(await read("example_spans", missing))] : raw;
}

export interface MinuteFiguresRow {
  minute: Date;
  service: string;
  operation: string;
  requests: number;
  failed: number;
  hist: Record<string, number>;
}

/** Server and consumer spans per service (operation '' = whole service) and minute, from the roll-ups. */
export function entryMinutes(
  sql: Queryable,
  services: string[],
  w: Window,
  byOperation: boolean,
): Promise<MinuteFiguresRow[]> {
  return sql<MinuteFiguresRow[]>`
    SELECT minute, service, operation, requests, failed, hist FROM service_minutes
    WHERE service = ANY(${services}::text[]) AND minute >= ${w.from} AND minute < ${w.to}
      AND (CASE WHEN ${byOperation}::bool THEN operation <> '' ELSE operation = '' END) AND hist_scheme = ${HISTOGRAM_SCHEME}
      AND (${envsParam(w)}::text[] IS NULL OR env = ANY(${envsParam(w)}::text[]))`;
}

/** Calls made by these services per minute (every callee), with the callers' own latency histograms. */
export function callerMinutes(sql: Queryable, services: string[], w: Window): Promise<MinuteFiguresRow[]> {
  return sql<MinuteFiguresRow[]>`
    SELECT minute, source AS service, '' AS operation, requests, failed, client_hist AS hist FROM edge_minutes
    WHERE source = ANY(${services}::text[]) AND minute >= ${w.from} AND minute < ${w.to} AND hist_scheme = ${HISTOGRAM_SCHEME}
      AND (${envsParam(w)}::text[] IS NULL OR env = ANY(${envsParam(w)}::text[]))`;
}
