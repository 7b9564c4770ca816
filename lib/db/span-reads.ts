import type { StoredSpan } from "../model/span";
import type { Queryable, Sql } from "./pool";
import { projection, SPAN_FIELDS } from "./tables";

export type { StoredSpan };

/**
 * All stored spans of one trace, in start order, ids as lower-case hex. Falls back to the copies kept for
 * example traces once the raw spans have expired.
 */
export async function findTraceSpans(sql: Queryable, traceIdHex: string): Promise<StoredSpan[]> {
  const raw = await traceSpansFrom(sql, "spans", traceIdHex);
  return raw.length > 0 ? raw : traceSpansFrom(sql, "example_spans", traceIdHex);
}

/** A stored span as the trace views read it: every column but the partition key and the ingest bookkeeping. */
const STORED_SPAN = projection(SPAN_FIELDS.filter((f) => f !== "startTime" && f !== "ingestedAt"));

function traceSpansFrom(sql: Queryable, table: "spans" | "example_spans", traceIdHex: string): Promise<StoredSpan[]> {
  return sql.unsafe<StoredSpan[]>(
    `SELECT ${STORED_SPAN} FROM ${table} WHERE trace_id = decode($1, 'hex') ORDER BY start_ns, span_id`,
    [traceIdHex],
  );
}

export async function countSpans(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: bigint }[]>`SELECT count(*)::bigint AS n FROM spans`;
  return Number(row!.n);
}
