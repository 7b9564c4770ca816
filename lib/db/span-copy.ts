import type { SpanRecord } from "../domain/span";

// Rows for `COPY spans_incoming FROM STDIN` in PostgreSQL's text format.
export const COPY_COLUMNS = [
  "trace_id", "span_id", "parent_span_id", "trace_state", "service_name", "name", "kind", "start_ns",
  "duration_ns", "status_code", "status_message", "attributes", "resource_attributes", "scope_name",
  "scope_version", "events", "links",
] as const;

const NULL = "\\N";

// normalize() (lib/ingest/limits.ts) replaces NUL and lone surrogates, which PostgreSQL text and jsonb reject, and
// counts it. This is the safety net for anything it missed: one bad string would fail the whole COPY, and
// postgres.js does not surface an error raised mid-COPY (the write hangs until WRITE_TIMEOUT_MS). Checks are cheap;
// the slow repair runs only when one fires.
const storable = (s: string) => {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes("\0") ? wellFormed.replaceAll("\0", "\uFFFD") : wellFormed;
};
const repairStrings = (_key: string, value: unknown) => (typeof value === "string" ? storable(value) : value);
// JSON.stringify escapes NUL and lone surrogates (and only those, among what matters here) as \u0000 / \udXXX.
const NEEDS_REPAIR = /\\u(?:0000|d[89a-f])/i;

function escapeText(s: string): string {
  return /[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t")) : s;
}

function json(v: unknown): string {
  if (Array.isArray(v) && v.length === 0) return "[]"; // most spans' events and links
  const out = JSON.stringify(v);
  return escapeText(NEEDS_REPAIR.test(out) ? JSON.stringify(v, repairStrings) : out);
}

// The spans of one resource share its attributes object (normalize keeps it): encode it once, not once per span.
let lastResource: unknown = null;
let lastResourceText = "";
function resourceJson(v: unknown): string {
  if (v !== lastResource) {
    lastResourceText = json(v);
    lastResource = v;
  }
  return lastResourceText;
}

const bytea = (b: Buffer | null) => (b ? `\\\\x${b.toString("hex")}` : NULL);
const text = (s: string | null) => (s === null ? NULL : escapeText(storable(s)));

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
      json(s.attributes), resourceJson(s.resourceAttributes), text(s.scopeName), text(s.scopeVersion), json(s.events),
      json(s.links),
      ...(withStartTime ? [startTimeText(s.startNs)] : []),
    ].join("\t") + "\n"
  );
}
