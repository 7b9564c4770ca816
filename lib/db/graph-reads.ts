import type { Histogram } from "../domain/histogram";
import type { Queryable } from "./pool";

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

/** Edge totals over [from, to), histograms merged in the database. */
export function edgeTotals(sql: Queryable, from: Date, to: Date): Promise<EdgeTotalsRow[]> {
  return sql<EdgeTotalsRow[]>`
    SELECT source, target, connection_type AS "connectionType", max(source_type) AS "sourceType",
           max(target_type) AS "targetType", max(broker) AS broker, sum(requests)::float8 AS requests,
           sum(failed)::float8 AS failed, sum(status_4xx)::float8 AS "status4xx", sum(throttled)::float8 AS throttled,
           sum(raw_spans)::bigint AS "rawSpans", sum(raw_failed)::bigint AS "rawFailed",
           tracemap_hist_sum(client_hist) AS "clientHist", tracemap_hist_sum(server_hist) AS "serverHist"
    FROM edge_minutes WHERE minute >= ${from} AND minute < ${to}
    GROUP BY source, target, connection_type
    ORDER BY source, target, connection_type`;
}

export interface ServiceTotalsRow {
  service: string;
  requests: number;
  failed: number;
  rawSpans: bigint;
  hist: Histogram;
}

export function serviceTotals(sql: Queryable, from: Date, to: Date): Promise<ServiceTotalsRow[]> {
  return sql<ServiceTotalsRow[]>`
    SELECT service, sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, sum(raw_spans)::bigint AS "rawSpans",
           tracemap_hist_sum(hist) AS hist
    FROM service_minutes WHERE minute >= ${from} AND minute < ${to} AND operation = ''
    GROUP BY service ORDER BY service`;
}

export interface QualityTotalsRow {
  service: string;
  orphanSpans: bigint;
  unpairedClientSpans: bigint;
  unpairedServerSpans: bigint;
  rootServerSpans: bigint;
}

export function qualityTotals(sql: Queryable, from: Date, to: Date): Promise<QualityTotalsRow[]> {
  return sql<QualityTotalsRow[]>`
    SELECT service, sum(orphan_spans)::bigint AS "orphanSpans", sum(unpaired_client_spans)::bigint AS "unpairedClientSpans",
           sum(unpaired_server_spans)::bigint AS "unpairedServerSpans", sum(root_server_spans)::bigint AS "rootServerSpans"
    FROM quality_minutes WHERE minute >= ${from} AND minute < ${to}
    GROUP BY service ORDER BY service`;
}

export interface EdgeBucketRow {
  bucket: Date;
  requests: number;
  failed: number;
  rawSpans: bigint;
  clientHist: Histogram;
  serverHist: Histogram;
}

/** One edge's minutes grouped into steps of `stepMs`, aligned to the epoch. */
export function edgeSeries(sql: Queryable, edge: { source: string; target: string; connectionType: string | null }, from: Date, to: Date, stepMs: number): Promise<EdgeBucketRow[]> {
  return sql<EdgeBucketRow[]>`
    SELECT to_timestamp(floor(extract(epoch FROM minute) * 1000 / ${stepMs}) * ${stepMs} / 1000.0) AS bucket,
           sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, sum(raw_spans)::bigint AS "rawSpans",
           tracemap_hist_sum(client_hist) AS "clientHist", tracemap_hist_sum(server_hist) AS "serverHist"
    FROM edge_minutes
    WHERE source = ${edge.source} AND target = ${edge.target} AND minute >= ${from} AND minute < ${to}
      AND (${edge.connectionType}::text IS NULL OR connection_type = ${edge.connectionType})
    GROUP BY 1 ORDER BY 1`;
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

export function edgeExamples(sql: Queryable, edge: { source: string; target: string; connectionType: string | null }, from: Date, to: Date, category: "slowest" | "errors" | "typical", limit: number): Promise<ExampleTraceRow[]> {
  return sql<ExampleTraceRow[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId", start_time AS start,
           duration_ns AS "durationNs", failed, error_message AS "errorMessage", minute
    FROM edge_examples
    WHERE source = ${edge.source} AND target = ${edge.target} AND minute >= ${from} AND minute < ${to}
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
