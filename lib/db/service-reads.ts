import type { Window } from "../model/window";
import type { Histogram } from "../model/histogram";
import {
  CURRENT_SCHEME,
  dimsMatch,
  dimsParam,
  envsParam,
  mergedRollup,
  rangeParams,
  rollupSource,
  stepBucket,
} from "./graph-reads";
import type { Queryable } from "./pool";

export interface OperationTotalsRow {
  operation: string;
  requests: number;
  failed: number;
  hist: Histogram;
}

/** One service's figures per span name over [from, to). */
export async function operationTotals(sql: Queryable, service: string, w: Window): Promise<OperationTotalsRow[]> {
  const rows = await sql.unsafe<OperationTotalsRow[]>(
    mergedRollup(
      rollupSource("service", "operation, requests, failed, hist", "service = $9 AND operation <> ''"),
      ["operation"],
      "sum(requests)::float8 AS requests, sum(failed)::float8 AS failed",
      { hist: "hist" },
    ),
    [...rangeParams(w), service],
  );
  return rows.sort((a, b) => b.requests - a.requests || a.operation.localeCompare(b.operation));
}

export interface ServiceBucketRow {
  bucket: Date;
  requests: number;
  failed: number;
  hist: Histogram;
}

/** One service's whole-service figures in steps of `stepMs`; whole-hour steps read hour rows. */
export function serviceSeries(sql: Queryable, service: string, w: Window, stepMs: number): Promise<ServiceBucketRow[]> {
  const [table, time] = stepMs % 3_600_000 === 0 ? ["service_hours", "hour"] : ["service_minutes", "minute"];
  return sql.unsafe<ServiceBucketRow[]>(
    mergedRollup(
      `(SELECT ${stepBucket(time)} AS bucket, requests, failed, hist FROM ${table}
        WHERE service = $2 AND operation = '' AND ${time} >= $3 AND ${time} < $4
          AND ($5::text[] IS NULL OR env = ANY($5::text[])) AND ${dimsMatch("service", "$6")} AND ${CURRENT_SCHEME}) AS s`,
      ["bucket"],
      "sum(requests)::float8 AS requests, sum(failed)::float8 AS failed",
      { hist: "hist" },
    ),
    [stepMs, service, w.from, w.to, envsParam(w), dimsParam(w)],
  );
}

export interface VersionChangeRow {
  service: string;
  version: string;
  at: Date;
}

/** Versions first seen in [from, to) for services that had reported an earlier version: deploys. */
export function versionChanges(sql: Queryable, services: string[], w: Window): Promise<VersionChangeRow[]> {
  return sql<VersionChangeRow[]>`
    SELECT v.service, v.version, v.first_seen AS at
    FROM service_versions v
    WHERE v.service = ANY(${services}) AND v.first_seen >= ${w.from} AND v.first_seen < ${w.to}
      AND EXISTS (SELECT 1 FROM service_versions p WHERE p.service = v.service AND p.first_seen < v.first_seen)
    ORDER BY v.first_seen, v.service`;
}

/** Whether a service has ever reported spans (every one gets a service_versions row, version '' when it has none). */
export async function serviceEverSeen(sql: Queryable, service: string): Promise<boolean> {
  const rows = await sql<{ seen: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM service_versions WHERE service = ${service}) AS seen`;
  return rows[0]?.seen === true;
}
