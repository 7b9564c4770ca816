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
