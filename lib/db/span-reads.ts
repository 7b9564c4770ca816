import type { StoredSpan } from "../domain/trace-tree";
import type { Queryable, Sql } from "./pool";

export type { StoredSpan };


/**
 * All stored spans of one trace, in start order, ids as lower-case hex. Falls back to the copies kept for
 * example traces once the raw spans have expired.
 */
export async function findTraceSpans(sql: Queryable, traceIdHex: string): Promise<StoredSpan[]> {
  const raw = await traceSpansFrom(sql, "spans", traceIdHex);
  return raw.length > 0 ? raw : traceSpansFrom(sql, "example_spans", traceIdHex);
}

function traceSpansFrom(sql: Queryable, table: "spans" | "example_spans", traceIdHex: string): Promise<StoredSpan[]> {
  return sql<StoredSpan[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId",
           encode(parent_span_id, 'hex') AS "parentSpanId", service_name AS "serviceName", name, kind,
           trace_state AS "traceState", scope_name AS "scopeName", scope_version AS "scopeVersion",
           start_ns AS "startNs", duration_ns AS "durationNs", status_code AS "statusCode",
           status_message AS "statusMessage", attributes, resource_attributes AS "resourceAttributes", events, links
    FROM ${sql(table)} WHERE trace_id = decode(${traceIdHex}, 'hex')
    ORDER BY start_ns, span_id`;
}

export async function countSpans(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: bigint }[]>`SELECT count(*)::bigint AS n FROM spans`;
  return Number(row!.n);
}
