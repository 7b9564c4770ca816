import { ByteWriter } from "../domain/byte-writer";
import { EncodedJson, type SpanRecord } from "../domain/span";

// Rows for `COPY spans FROM STDIN` (and the staging table) in PostgreSQL's text format, written as bytes.
export const COPY_COLUMNS = [
  "trace_id", "span_id", "parent_span_id", "trace_state", "service_name", "name", "kind", "start_ns",
  "duration_ns", "status_code", "status_message", "attributes", "resource_attributes", "scope_name",
  "scope_version", "events", "links", "start_time",
] as const;

const NULL = "\\N";
const BACKSLASH = 0x5c;
const TAB = 0x09;

// normalize() (lib/ingest/limits.ts) replaces NUL and lone surrogates, which PostgreSQL text and jsonb reject, and
// counts it. This is the safety net for anything it missed: one bad string would fail the whole COPY. Checks are
// cheap; the slow repair runs only when one fires.
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

/** JSON text holds no raw control characters, so its backslashes are all that COPY text needs escaped. */
function copyJsonBytes(w: ByteWriter, bytes: Buffer): void {
  let from = 0;
  for (let at = bytes.indexOf(BACKSLASH); at !== -1; at = bytes.indexOf(BACKSLASH, at + 1)) {
    w.copy(bytes, from, at + 1);
    w.byte(BACKSLASH);
    from = at + 1;
  }
  w.copy(bytes, from, bytes.length);
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

// Spans of one batch mostly start within the same few milliseconds: format each millisecond once.
let lastMs = Number.NaN;
let lastMsText = "";

const MICROS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, "0")}Z`);

/** start_ns as a timestamptz literal with microseconds, truncated like `epoch + (start_ns / 1000) µs`. */
export function startTimeText(startNs: bigint): string {
  // One bigint division; microseconds since 1970 are exact in a double (below 2^53 until the year 2255).
  const us = Number(startNs / 1000n);
  const ms = Math.floor(us / 1000);
  if (ms !== lastMs) {
    lastMsText = new Date(ms).toISOString().slice(0, 23);
    lastMs = ms;
  }
  return lastMsText + MICROS[us - ms * 1000]!;
}

function bytea(w: ByteWriter, b: Buffer | null): void {
  if (!b) return w.latin1(NULL);
  w.latin1("\\\\x");
  w.hex(b);
}

function text(w: ByteWriter, s: string | null): void {
  if (s === null) w.latin1(NULL);
  else w.utf8(escapeText(storable(s)));
}

/** Appends one COPY text-format line, in COPY_COLUMNS order. */
export function writeCopyLine(w: ByteWriter, s: SpanRecord): void {
  bytea(w, s.traceId); w.byte(TAB);
  bytea(w, s.spanId); w.byte(TAB);
  bytea(w, s.parentSpanId); w.byte(TAB);
  text(w, s.traceState); w.byte(TAB);
  text(w, s.serviceName); w.byte(TAB);
  text(w, s.name); w.byte(TAB);
  w.latin1(`${s.kind}\t${s.startNs}\t${s.durationNs}\t${s.statusCode}\t`);
  text(w, s.statusMessage); w.byte(TAB);
  if (s.attributes instanceof EncodedJson) copyJsonBytes(w, s.attributes.bytes);
  else w.utf8(json(s.attributes));
  w.byte(TAB);
  w.utf8(resourceJson(s.resourceAttributes)); w.byte(TAB);
  text(w, s.scopeName); w.byte(TAB);
  text(w, s.scopeVersion); w.byte(TAB);
  w.utf8(json(s.events)); w.byte(TAB);
  w.utf8(json(s.links)); w.byte(TAB);
  w.latin1(startTimeText(s.startNs));
  w.byte(0x0a);
}

/** COPY data for `spans` in chunks of about `chunkBytes`, for a COPY stream. */
export function* copyChunks(spans: SpanRecord[], chunkBytes = 256 * 1024): Generator<Buffer> {
  let w = new ByteWriter(chunkBytes + 16 * 1024);
  for (const s of spans) {
    writeCopyLine(w, s);
    if (w.pos >= chunkBytes) {
      yield w.since(0);
      w = new ByteWriter(chunkBytes + 16 * 1024);
    }
  }
  if (w.pos > 0) yield w.since(0);
}
