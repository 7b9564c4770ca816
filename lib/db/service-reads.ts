import type { Histogram } from "../domain/histogram";
import { rangeParams, rollupSource } from "./graph-reads";
import type { Queryable } from "./pool";

export interface OperationTotalsRow {
  operation: string;
  requests: number;
  failed: number;
  hist: Histogram;
}

/** One service's figures per span name over [from, to). */
export function operationTotals(sql: Queryable, service: string, from: Date, to: Date): Promise<OperationTotalsRow[]> {
  return sql.unsafe<OperationTotalsRow[]>(
    `SELECT operation, sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, tracemap_hist_sum(hist) AS hist
     FROM ${rollupSource("service", "operation, requests, failed, hist", "service = $7 AND operation <> ''")}
     GROUP BY operation ORDER BY sum(requests) DESC, operation`,
    [...rangeParams(from, to), service],
  );
}

export interface ServiceBucketRow {
  bucket: Date;
  requests: number;
  failed: number;
  hist: Histogram;
}

/** One service's whole-service figures in steps of `stepMs`; whole-hour steps read hour rows. */
export function serviceSeries(sql: Queryable, service: string, from: Date, to: Date, stepMs: number): Promise<ServiceBucketRow[]> {
  const [table, time] = stepMs % 3_600_000 === 0 ? ["service_hours", "hour"] : ["service_minutes", "minute"];
  return sql.unsafe<ServiceBucketRow[]>(
    `SELECT to_timestamp(floor(extract(epoch FROM ${time}) * 1000 / $1) * $1 / 1000.0) AS bucket,
            sum(requests)::float8 AS requests, sum(failed)::float8 AS failed, tracemap_hist_sum(hist) AS hist
     FROM ${table}
     WHERE service = $2 AND operation = '' AND ${time} >= $3 AND ${time} < $4
     GROUP BY 1 ORDER BY 1`,
    [stepMs, service, from, to],
  );
}

export interface VersionChangeRow {
  service: string;
  version: string;
  at: Date;
}

/** Versions first seen in [from, to) for services that had reported an earlier version: deploys. */
export function versionChanges(sql: Queryable, services: string[], from: Date, to: Date): Promise<VersionChangeRow[]> {
  return sql<VersionChangeRow[]>`
    SELECT v.service, v.version, v.first_seen AS at
    FROM service_versions v
    WHERE v.service = ANY(${services}) AND v.first_seen >= ${from} AND v.first_seen < ${to}
      AND EXISTS (SELECT 1 FROM service_versions p WHERE p.service = v.service AND p.first_seen < v.first_seen)
    ORDER BY v.first_seen, v.service`;
}
