import type { StoredSpan } from "../model/span";
import { type ChunkedSpan, decodeChunk } from "../domain/trace-chunk";
import type { Queryable } from "./pool";
import { startTimeText } from "./span-copy";

/** Resource attribute sets by hex id (stored once in `resources`). */
export async function resourcesById(
  sql: Queryable,
  ids: Iterable<string>,
): Promise<Map<string, Record<string, unknown>>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await sql<{ id: string; attributes: Record<string, unknown> }[]>`
    SELECT encode(id, 'hex') AS id, attributes FROM resources
    WHERE id IN (SELECT decode(i, 'hex') FROM unnest(${wanted}::text[]) AS i)`;
  return new Map(rows.map((r) => [r.id, r.attributes]));
}

/** Decoded spans with their resources' attributes, as the trace views read a stored span. */
export async function withResources(sql: Queryable, spans: ChunkedSpan[]): Promise<StoredSpan[]> {
  const resources = await resourcesById(
    sql,
    spans.map((s) => s.resourceId),
  );
  return spans.map(({ resourceId, ...s }) => ({ ...s, resourceAttributes: resources.get(resourceId) ?? {} }));
}

/** Every compacted span of one trace (all its chunks), resources not yet attached. */
export const chunkedSpansOfTrace = (sql: Queryable, traceIdHex: string) => chunkedSpansOfTraces(sql, [traceIdHex]);

/** Every compacted span of these traces (hex ids), resources not yet attached: one key lookup per trace. */
export async function chunkedSpansOfTraces(sql: Queryable, traceIds: string[]): Promise<ChunkedSpan[]> {
  if (traceIds.length === 0) return [];
  const rows = await sql<{ traceId: string; payload: Buffer }[]>`
    SELECT t AS "traceId", c.payload
    FROM unnest(${traceIds}::text[]) t,
      LATERAL (SELECT payload FROM trace_chunks c WHERE c.trace_id = decode(t, 'hex') OFFSET 0) c`;
  return rows.flatMap((r) => decodeChunk(r.traceId, r.payload));
}

/**
 * Copies the compacted spans of these traces (hex ids) into example_spans, as copyExampleTraces copies raw ones: a
 * trace pinned, or chosen as an example, after some of its spans were compacted is kept whole.
 */
export async function copyChunkedTraces(tx: Queryable, traceIds: string[]): Promise<void> {
  const spans = await chunkedSpansOfTraces(tx, traceIds);
  if (spans.length === 0) return;
  const copies = spans.map((s) => ({
    ...s,
    startNs: s.startNs.toString(),
    durationNs: s.durationNs.toString(),
    startTime: startTimeText(s.startNs),
  }));
  await tx`
    INSERT INTO example_spans (trace_id, span_id, parent_span_id, trace_state, service_name, name, kind, start_time,
      start_ns, duration_ns, status_code, status_message, attributes, scope_name, scope_version, events, links,
      resource_id)
    SELECT decode(x."traceId", 'hex'), decode(x."spanId", 'hex'), decode(x."parentSpanId", 'hex'), x."traceState",
      x."serviceName", x.name, x.kind, x."startTime", x."startNs", x."durationNs", x."statusCode", x."statusMessage",
      x.attributes, x."scopeName", x."scopeVersion", x.events, x.links, decode(x."resourceId", 'hex')
    FROM jsonb_to_recordset(${JSON.stringify(copies)}::text::jsonb) AS x("traceId" text, "spanId" text,
      "parentSpanId" text, "traceState" text, "serviceName" text, name text, kind smallint, "startTime" timestamptz,
      "startNs" bigint, "durationNs" bigint, "statusCode" smallint, "statusMessage" text, attributes json,
      "scopeName" text, "scopeVersion" text, events json, links jsonb, "resourceId" text)
    ON CONFLICT DO NOTHING`;
}
