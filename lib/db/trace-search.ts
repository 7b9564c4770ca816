import type { Window } from "../model/window";
import {
  attributeCandidates,
  attributeTextNeedles,
  synthesizedTag,
  type AttributeFilter,
  type TraceSearch,
} from "../domain/trace-search";
import type { ResourceMatches } from "../domain/span-match";
import type { Queryable } from "./pool";
import { compareHits, mergeHits, type RankedHit, searchChunks } from "./chunk-search";
import { chunksInWindow } from "./chunk-reads";

/** A matching trace as the pages and APIs show it. */
export type TraceHit = Omit<RankedHit, "errors">;

const SYNTHESIZED_COLUMNS = {
  kind: "kind",
  statusCode: "status_code",
  statusMessage: "status_message",
  scopeName: "scope_name",
  scopeVersion: "scope_version",
} as const;

/**
 * One filter on one json column: a text scan of the stored json first (cheap); only the rows that pass it have the
 * key's value looked up and compared as jsonb (same answers as jsonb containment: arrays don't match a scalar, the
 * last duplicate key wins). Column names are fixed here, never from input.
 */
function jsonColumnMatch(sql: Queryable, column: "spans.attributes" | "r.attributes", f: AttributeFilter) {
  const needles = attributeTextNeedles(f);
  const values = JSON.stringify(attributeCandidates(f.value));
  const col = sql.unsafe(column); // one of two fixed names
  return sql`(${needles?.value ?? null}::text IS NULL OR strpos(${col}::text, ${needles?.value ?? null}) > 0)
    AND (${needles?.key ?? null}::text IS NULL OR strpos(${col}::text, ${needles?.key ?? null}) > 0)
    AND (${col} -> ${f.key}::text)::jsonb = ANY(ARRAY(SELECT jsonb_array_elements(${values}::text::jsonb)))`;
}

/**
 * The span's resource (stored once, in resources) meets the filter: the matching resources are found once per
 * search (an uncorrelated sub-select, a hashed lookup per span), not once per span.
 */
const resourceMatch = (sql: Queryable, f: AttributeFilter) =>
  sql`spans.resource_id IN (SELECT r.id FROM resources r WHERE ${jsonColumnMatch(sql, "r.attributes", f)})`;

/** The resources in these deployment environments as the roll-ups read them (environment.ts; "" for none). */
const envResources = (sql: Queryable, envs: string[]) =>
  sql`SELECT r.id FROM resources r WHERE coalesce(r.attributes->>'deployment.environment.name',
    r.attributes->>'deployment.environment', '') = ANY(${envs}::text[])`;

/** A span meets a filter through its own attributes, its resource's, or the span field the tag stands for. */
function filterMatch(sql: Queryable, f: AttributeFilter) {
  const synth = synthesizedTag(f);
  const field = synth ? sql`OR spans.${sql(SYNTHESIZED_COLUMNS[synth.field])} = ${synth.value}` : sql``;
  return sql`((${jsonColumnMatch(sql, "spans.attributes", f)}) OR ${resourceMatch(sql, f)} ${field})`;
}

/**
 * One row per matching trace (its longest matching span), in the search's order (newest, longest, most error
 * spans), `offset` rows skipped. Errors are counted among the trace's spans in the window. Raw spans are searched
 * here; compacted ones, when the window holds any, by lib/db/chunk-search.ts, and the two merged.
 */
export async function searchTraces(
  sql: Queryable,
  q: TraceSearch,
  w: Window,
  limit: number,
  offset = 0,
): Promise<RankedHit[]> {
  if (!(await chunksInWindow(sql, w))) return searchRawSpans(sql, q, w, limit, offset);
  const need = limit + offset;
  const [raw, matches] = await Promise.all([searchRawSpans(sql, q, w, need, 0), resourceMatches(sql, q)]);
  const hits = new Map(raw.map((h) => [h.traceId, h]));
  for (const h of await searchChunks(sql, q, w, matches, need)) {
    const seen = hits.get(h.traceId);
    hits.set(h.traceId, seen ? mergeHits(seen, h) : h);
  }
  return [...hits.values()].sort(compareHits(q.sort)).slice(offset, need);
}

/** The resources each filter matches, and those of the search's environments, for deciding compacted spans. */
async function resourceMatches(sql: Queryable, q: TraceSearch): Promise<ResourceMatches> {
  const ids = (rows: { id: string }[]) => new Set(rows.map((r) => r.id));
  const perFilter = q.attributes.map(async (f) =>
    ids(
      await sql<{ id: string }[]>`
      SELECT encode(r.id, 'hex') AS id FROM resources r WHERE ${jsonColumnMatch(sql, "r.attributes", f)}`,
    ),
  );
  const envs = q.envs.length
    ? ids(await sql<{ id: string }[]>`SELECT encode(m.id, 'hex') AS id FROM (${envResources(sql, q.envs)}) m`)
    : null;
  return { perFilter: await Promise.all(perFilter), envs };
}

function searchRawSpans(
  sql: Queryable,
  q: TraceSearch,
  w: Window,
  limit: number,
  offset: number,
): Promise<RankedHit[]> {
  const status = q.status === "error" ? 2 : q.status === "ok" ? 1 : null;
  const filters = q.attributes.reduce((acc, f) => sql`${acc} AND ${filterMatch(sql, f)}`, sql`TRUE`);
  const errors =
    q.sort === "errors"
      ? sql`(SELECT count(*)::int FROM spans e WHERE e.trace_id = hits.tid AND e.status_code = 2
               AND e.start_time >= ${w.from} AND e.start_time < ${w.to})`
      : sql`0`;
  const order =
    q.sort === "longest"
      ? sql`"durationNs" DESC, start DESC`
      : q.sort === "errors"
        ? sql`errors DESC, start DESC`
        : sql`start DESC`;
  return sql<RankedHit[]>`
    SELECT "traceId", "spanId", service, name, start, "durationNs", "statusCode", errors FROM (
      SELECT "traceId", "spanId", service, name, start, "durationNs", "statusCode", ${errors} AS errors FROM (
        SELECT DISTINCT ON (trace_id) trace_id AS tid, encode(trace_id, 'hex') AS "traceId",
               encode(span_id, 'hex') AS "spanId", service_name AS service, name, start_time AS start,
               duration_ns AS "durationNs", status_code AS "statusCode"
        FROM spans
        WHERE start_time >= ${w.from} AND start_time < ${w.to}
          AND (${q.service}::text IS NULL OR service_name = ${q.service})
          AND (${q.operation}::text IS NULL OR name = ${q.operation})
          AND (${q.minMs}::float8 IS NULL OR duration_ns >= ${q.minMs}::float8 * 1e6)
          AND (${q.maxMs}::float8 IS NULL OR duration_ns <= ${q.maxMs}::float8 * 1e6)
          AND (${status}::int IS NULL OR status_code = ${status}::int)
          AND (${q.kind}::int IS NULL OR kind = ${q.kind}::int)
          AND (${q.envs.length ? q.envs : null}::text[] IS NULL OR spans.resource_id IN (${envResources(sql, q.envs)}))
          AND ${filters}
        ORDER BY trace_id, duration_ns DESC
      ) hits
    ) ranked
    ORDER BY ${order}
    LIMIT ${limit} OFFSET ${offset}`;
}
