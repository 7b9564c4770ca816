import type { StoredSpan } from "../model/span";
import type { Queryable, Sql } from "./pool";
import { projection, SPAN_FIELDS } from "./tables";
import { chunkedSpansOfTrace, notStoredRaw, withResources } from "./chunk-reads";

export type { StoredSpan };

/**
 * All stored spans of one trace, raw and compacted, in start order, ids as lower-case hex. Falls back to the copies
 * kept for example traces once the raw spans have expired.
 */
export async function findTraceSpans(sql: Queryable, traceIdHex: string): Promise<StoredSpan[]> {
  const [raw, chunked] = await Promise.all([
    traceSpansFrom(sql, "spans", traceIdHex),
    chunkedSpansOfTrace(sql, traceIdHex),
  ]);
  if (chunked.length === 0) return raw.length > 0 ? raw : traceSpansFrom(sql, "example_spans", traceIdHex);
  const all = [...raw, ...(await withResources(sql, notStoredRaw(raw, chunked)))];
  return all.sort((a, b) =>
    a.startNs !== b.startNs ? (a.startNs < b.startNs ? -1 : 1) : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0,
  );
}

/** A stored span as the trace views read it: every column but the partition key and the ingest bookkeeping. */
const STORED_SPAN = projection(SPAN_FIELDS.filter((f) => f !== "startTime" && f !== "ingestedAt"));

function traceSpansFrom(sql: Queryable, table: "spans" | "example_spans", traceIdHex: string): Promise<StoredSpan[]> {
  return sql.unsafe<StoredSpan[]>(
    `SELECT ${STORED_SPAN} FROM ${table} WHERE trace_id = decode($1, 'hex') ORDER BY start_ns, span_id`,
    [traceIdHex],
  );
}

/** Stored spans, raw and compacted. */
export async function countSpans(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: bigint }[]>`
    SELECT (SELECT count(*) FROM spans) + (SELECT coalesce(sum(span_count), 0) FROM trace_chunks) AS n`;
  return Number(row!.n);
}
