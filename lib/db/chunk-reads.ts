import type { StoredSpan } from "../model/span";
import type { Window } from "../model/window";
import { CHUNK_SLICE_MS, type ChunkedSpan, decodeChunk } from "../domain/trace-chunk";
import type { Queryable } from "./pool";
import { startTimeText } from "./span-copy";

/** Chunks that may hold a span starting in the window, by first_start (its index) alone. */
export const chunkMayOverlap = (sql: Queryable, w: Pick<Window, "from" | "to">) =>
  sql`first_start >= ${new Date(w.from.getTime() - CHUNK_SLICE_MS)} AND first_start < ${w.to}`;

/** Chunks with a span starting in the window (and maybe others outside it). */
export const chunkOverlaps = (sql: Queryable, w: Pick<Window, "from" | "to">) =>
  sql`${chunkMayOverlap(sql, w)} AND last_start >= ${w.from}`;

/** Whether any compacted span (of `service`, if given) can be in the window: most recent windows have none. */
export async function chunksInWindow(sql: Queryable, w: Window, service: string | null = null): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM trace_chunks WHERE ${chunkMayOverlap(sql, w)}
      AND (${service}::text IS NULL OR services @> ARRAY[${service}::text])) AS any`;
  return row?.any === true;
}

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
