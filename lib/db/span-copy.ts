import type { SpanRecord } from "../domain/span";

// Rows for `COPY spans_incoming FROM STDIN` in PostgreSQL's text format.
export const COPY_COLUMNS = [
  "trace_id", "span_id", "parent_span_id", "trace_state", "service_name", "name", "kind", "start_ns",
  "duration_ns", "status_code", "status_message", "attributes", "resource_attributes", "scope_name",
  "scope_version", "events", "links",
] as const;

const NULL = "\\N";

/** PostgreSQL text cannot hold NUL, and jsonb rejects lone surrogate escapes; replace both. */
function clean(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\0") ? wellFormed.replaceAll("\0", "\uFFFD") : wellFormed;
}

function escapeText(s: string): string {
  return clean(s).replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

const jsonReplacer = (_key: string, value: unknown) => (typeof value === "string" ? clean(value) : value);

function json(v: unknown): string {
  return escapeText(JSON.stringify(v, jsonReplacer));
}

const bytea = (b: Buffer | null) => (b ? `\\\\x${b.toString("hex")}` : NULL);
const text = (s: string | null) => (s === null ? NULL : escapeText(s));

export function copyLine(s: SpanRecord): string {
  return (
    [
      bytea(s.traceId), bytea(s.spanId), bytea(s.parentSpanId), text(s.traceState), text(s.serviceName), text(s.name),
      String(s.kind), s.startNs.toString(), s.durationNs.toString(), String(s.statusCode), text(s.statusMessage),
      json(s.attributes), json(s.resourceAttributes), text(s.scopeName), text(s.scopeVersion), json(s.events),
      json(s.links),
    ].join("\t") + "\n"
  );
}
