import { attributeCandidates, attributeTextNeedles, type TraceSearch } from "../domain/trace-search";
import type { Queryable } from "./pool";

export interface TraceHit {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  start: Date;
  durationNs: bigint;
  statusCode: number;
}

/** One row per matching trace (its longest matching span), newest first. */
export function searchTraces(sql: Queryable, q: TraceSearch, from: Date, to: Date, limit: number): Promise<TraceHit[]> {
  const attrKey = q.attribute?.key ?? null;
  const attrValues = q.attribute ? JSON.stringify(attributeCandidates(q.attribute.value)) : null;
  // A text scan of the stored json first (cheap); only the rows that pass it have the key's value looked up and
  // compared as jsonb (same answers as jsonb containment: arrays don't match a scalar, the last duplicate key wins).
  const needles = q.attribute ? attributeTextNeedles(q.attribute) : null;
  const keyText = needles?.key ?? null;
  const valueText = needles?.value ?? null;
  const status = q.status === "error" ? 2 : q.status === "ok" ? 1 : null;
  return sql<TraceHit[]>`
    SELECT * FROM (
      SELECT DISTINCT ON (trace_id) encode(trace_id, 'hex') AS "traceId", encode(span_id, 'hex') AS "spanId",
             service_name AS service, name, start_time AS start, duration_ns AS "durationNs", status_code AS "statusCode"
      FROM spans
      WHERE start_time >= ${from} AND start_time < ${to}
        AND (${q.service}::text IS NULL OR service_name = ${q.service})
        AND (${q.operation}::text IS NULL OR name = ${q.operation})
        AND (${q.minMs}::float8 IS NULL OR duration_ns >= ${q.minMs}::float8 * 1e6)
        AND (${q.maxMs}::float8 IS NULL OR duration_ns <= ${q.maxMs}::float8 * 1e6)
        AND (${status}::int IS NULL OR status_code = ${status}::int)
        AND (${valueText}::text IS NULL OR strpos(spans.attributes::text, ${valueText}) > 0)
        AND (${keyText}::text IS NULL OR strpos(spans.attributes::text, ${keyText}) > 0)
        AND (${attrKey}::text IS NULL
          OR (spans.attributes -> ${attrKey}::text)::jsonb = ANY(ARRAY(SELECT jsonb_array_elements(${attrValues}::text::jsonb))))
      ORDER BY trace_id, duration_ns DESC
    ) hits
    ORDER BY start DESC
    LIMIT ${limit}`;
}
