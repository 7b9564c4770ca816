import type { StoredSpan } from "../model/span";
import type { Window } from "../model/window";
import { CHUNK_SLICE_MS, type ChunkedSpan, decodeChunk } from "../domain/trace-chunk";
import type { Queryable } from "./pool";
import { startTimeText } from "./span-copy";
import { columnOf, EXAMPLE_COPY_COLUMNS } from "./tables";
import type { Prisma } from "./generated/prisma/browser";

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

type SpanKey = { traceId: string; spanId: string; kind: number; startNs: bigint };
const spanKey = (s: SpanKey) => `${s.traceId}/${s.spanId}/${s.kind}/${s.startNs}`;

/**
 * The compacted spans not also among `raw`: a span re-delivered after its trace was compacted is stored raw again,
 * and a read keeps one of the two (the key is the spans table's).
 */
export function notStoredRaw<T extends SpanKey>(raw: SpanKey[], chunked: T[]): T[] {
  if (raw.length === 0) return chunked;
  const seen = new Set(raw.map(spanKey));
  return chunked.filter((s) => !seen.has(spanKey(s)));
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

type ExampleCopyField = Exclude<Prisma.ExampleSpanScalarFieldEnum, "copiedAt">;

/**
 * A decoded span as an example_spans row in PostgreSQL's input formats, keyed by field: a column added to the
 * model without a value here does not compile.
 */
const exampleRow = (s: ChunkedSpan): Record<ExampleCopyField, unknown> => ({
  traceId: `\\x${s.traceId}`,
  spanId: `\\x${s.spanId}`,
  parentSpanId: s.parentSpanId === null ? null : `\\x${s.parentSpanId}`,
  traceState: s.traceState,
  serviceName: s.serviceName,
  name: s.name,
  kind: s.kind,
  startTime: startTimeText(s.startNs),
  startNs: s.startNs.toString(),
  durationNs: s.durationNs.toString(),
  statusCode: s.statusCode,
  statusMessage: s.statusMessage,
  attributes: s.attributes,
  scopeName: s.scopeName,
  scopeVersion: s.scopeVersion,
  events: s.events,
  links: s.links,
  resourceId: `\\x${s.resourceId}`,
});

/**
 * Copies the compacted spans of these traces (hex ids) into example_spans, as copyExampleTraces copies raw ones: a
 * trace pinned, or chosen as an example, after some of its spans were compacted is kept whole. The rows go in as
 * JSON read with example_spans' own row type, so the columns are the ones copyExampleTraces copies.
 */
export async function copyChunkedTraces(tx: Queryable, traceIds: string[]): Promise<void> {
  const spans = await chunkedSpansOfTraces(tx, traceIds);
  if (spans.length === 0) return;
  const rows = spans.map((s) =>
    Object.fromEntries(Object.entries(exampleRow(s)).map(([field, value]) => [columnOf(field), value])),
  );
  const columns = EXAMPLE_COPY_COLUMNS.join(", ");
  await tx.unsafe(
    `INSERT INTO example_spans (${columns})
     SELECT ${columns} FROM json_populate_recordset(NULL::example_spans, $1::text::json)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
