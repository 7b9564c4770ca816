import { createHash } from "node:crypto";
import { ByteWriter } from "../domain/byte-writer";
import { EncodedJson, type SpanRecord } from "../model/span";
import { columnOf, SPAN_FIELDS, type SpanField } from "./tables";

// Rows for `COPY spans FROM STDIN` (and the staging table) in PostgreSQL's text format, written as bytes.

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
  return /[\\\n\r\t]/.test(s)
    ? s.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"))
    : s;
}

/** JSON text PostgreSQL accepts (NUL and lone surrogates repaired). */
function storableJson(v: unknown): string {
  const out = JSON.stringify(v);
  return NEEDS_REPAIR.test(out) ? JSON.stringify(v, repairStrings) : out;
}

function json(v: unknown): string {
  if (Array.isArray(v) && v.length === 0) return "[]"; // most spans' events and links
  return escapeText(storableJson(v));
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

/** A resource as stored once in `resources`: its key (md5 of its JSON text) and that text. */
export interface StoredResource {
  id: Buffer;
  json: string;
}

// The spans of one resource share its attributes object (normalize keeps it): encode and hash it once, not once per
// span. A WeakMap, so resources go with the requests that brought them.
const resourceCache = new WeakMap<object, StoredResource>();
export function resourceOf(v: Record<string, unknown>): StoredResource {
  let r = resourceCache.get(v);
  if (!r) {
    const text = storableJson(v);
    r = { id: createHash("md5").update(text).digest(), json: text };
    resourceCache.set(v, r);
  }
  return r;
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

type CopiedField = Exclude<SpanField, "ingestedAt">;

/** How each column of a span is written; a column added to schema.prisma without one here does not compile. */
const WRITE: Record<CopiedField, (w: ByteWriter, s: SpanRecord) => void> = {
  traceId: (w, s) => bytea(w, s.traceId),
  spanId: (w, s) => bytea(w, s.spanId),
  parentSpanId: (w, s) => bytea(w, s.parentSpanId),
  traceState: (w, s) => text(w, s.traceState),
  serviceName: (w, s) => text(w, s.serviceName),
  name: (w, s) => text(w, s.name),
  kind: (w, s) => w.latin1(String(s.kind)),
  startTime: (w, s) => w.latin1(startTimeText(s.startNs)),
  startNs: (w, s) => w.latin1(String(s.startNs)),
  durationNs: (w, s) => w.latin1(String(s.durationNs)),
  statusCode: (w, s) => w.latin1(String(s.statusCode)),
  statusMessage: (w, s) => text(w, s.statusMessage),
  attributes: (w, s) =>
    s.attributes instanceof EncodedJson ? copyJsonBytes(w, s.attributes.bytes) : w.utf8(json(s.attributes)),
  resourceId: (w, s) => bytea(w, resourceOf(s.resourceAttributes).id),
  scopeName: (w, s) => text(w, s.scopeName),
  scopeVersion: (w, s) => text(w, s.scopeVersion),
  events: (w, s) => w.utf8(json(s.events)),
  links: (w, s) => w.utf8(json(s.links)),
};

const COPIED = SPAN_FIELDS.filter((f): f is CopiedField => f !== "ingestedAt");
const WRITERS = COPIED.map((f) => WRITE[f]);

/** The columns a COPY of spans fills (ingested_at and ingest_xid take their defaults), in the writers' order. */
export const COPY_COLUMNS: readonly string[] = COPIED.map(columnOf);

/** Appends one COPY text-format line, in COPY_COLUMNS order. */
export function writeCopyLine(w: ByteWriter, s: SpanRecord): void {
  WRITERS[0]!(w, s);
  for (let i = 1; i < WRITERS.length; i++) {
    w.byte(TAB);
    WRITERS[i]!(w, s);
  }
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
