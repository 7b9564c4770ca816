import type { SpanRecord } from "../domain/span";

// Rows for `COPY spans_incoming FROM STDIN` in PostgreSQL's text format.
export const COPY_COLUMNS = [
  "trace_id", "span_id", "parent_span_id", "trace_state", "service_name", "name", "kind", "start_ns",
  "duration_ns", "status_code", "status_message", "attributes", "resource_attributes", "scope_name",
  "scope_version", "events", "links",
] as const;

const NULL = "\\N";

// Strings in a SpanRecord are storable by construction: normalize() (lib/ingest/limits.ts) has already replaced
// NUL and lone surrogates, which PostgreSQL text and jsonb reject. Only COPY's own escaping is left to do here.
function escapeText(s: string): string {
  return /[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t")) : s;
}

function json(v: unknown): string {
  return escapeText(JSON.stringify(v));
}

const bytea = (b: Buffer | null) => (b ? `\\\\x${b.toString("hex")}` : NULL);
const text = (s: string | null) => (s === null ? NULL : escapeText(s));

/** start_ns as a timestamptz literal with microseconds, truncated like `epoch + (start_ns / 1000) µs`. */
export function startTimeText(startNs: bigint): string {
  const us = startNs / 1000n;
  return `${new Date(Number(us / 1000n)).toISOString().slice(0, 23)}${String(us % 1000n).padStart(3, "0")}Z`;
}

/** One COPY text-format line; with `withStartTime`, the partition key column follows the others. */
export function copyLine(s: SpanRecord, withStartTime = false): string {
  return (
    [
      bytea(s.traceId), bytea(s.spanId), bytea(s.parentSpanId), text(s.traceState), text(s.serviceName), text(s.name),
      String(s.kind), s.startNs.toString(), s.durationNs.toString(), String(s.statusCode), text(s.statusMessage),
      json(s.attributes), json(s.resourceAttributes), text(s.scopeName), text(s.scopeVersion), json(s.events),
      json(s.links),
      ...(withStartTime ? [startTimeText(s.startNs)] : []),
    ].join("\t") + "\n"
  );
}
