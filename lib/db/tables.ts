// Tables are defined once, in prisma/schema.prisma; code that names their columns derives the names from the
// generated client's field lists (the browser build: field enums without the query engine's runtime).
import { Prisma } from "./generated/prisma/browser";

/** A Prisma field's column: every field maps to its snake_case name (schema.int.test checks it against the database). */
export const columnOf = (field: string) => field.replace(/([a-z])([A-Z0-9])/g, "$1_$2").toLowerCase();

export type SpanField = Prisma.SpanScalarFieldEnum;

/** The spans table's columns in the schema's order (ingest_xid, of a type Prisma cannot read, is not one of them). */
export const SPAN_FIELDS = Object.values(Prisma.SpanScalarFieldEnum);

/** example_spans holds copies of spans: the columns both tables have. */
export const EXAMPLE_COPY_COLUMNS = Object.values(Prisma.ExampleSpanScalarFieldEnum)
  .filter((f): f is SpanField & Prisma.ExampleSpanScalarFieldEnum => (SPAN_FIELDS as string[]).includes(f))
  .map(columnOf);

/** Every scalar field of every model, for the schema check. */
export const MODEL_FIELDS: Record<string, string[]> = Object.fromEntries(
  Object.entries(Prisma)
    .filter(([k]) => k.endsWith("ScalarFieldEnum"))
    .map(([k, v]) => [k.slice(0, -"ScalarFieldEnum".length), Object.values(v as object)]),
);

const HEX_FIELDS = new Set<string>(["traceId", "spanId", "parentSpanId"]);

/** How a field is read: ids as lower-case hex, the resource's attributes from `resources` (stored once). */
const readAs = (f: string) =>
  HEX_FIELDS.has(f)
    ? `encode(${columnOf(f)}, 'hex') AS "${f}"`
    : f === "resourceId"
      ? `(SELECT r.attributes FROM resources r WHERE r.id = resource_id) AS "resourceAttributes"`
      : `${columnOf(f)} AS "${f}"`;

/** SELECT list giving each of `fields` under its field name (a span's resourceId as its resourceAttributes). */
export const projection = (fields: readonly string[]) => fields.map(readAs).join(", ");
