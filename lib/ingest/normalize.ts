import { ByteWriter } from "../domain/byte-writer";
import type { Attributes, DecodedBatch, RejectCode, SpanEvent, SpanLink, SpanRecord } from "../model/span";
import { defaultValueLimits, ValueCleaner, type TraceSpanCounter, type ValueLimits } from "./limits";
import { encodeWireAttributes, WireAttributes } from "./otlp-attributes";
import { DecodeError } from "./protobuf-reader";
import { linkProblem } from "../domain/span-checks";

/** A span as a decoder read it, before validation. Ids are raw bytes; times are unix nanoseconds. */
export interface RawSpan {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  traceState: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  /** The OTLP protobuf decoder leaves them as bytes of the request. */
  attributes: Attributes | WireAttributes;
  events: SpanEvent[];
  links: SpanLink[];
  statusCode: number;
  statusMessage: string;
  /** Set by a decoder that found this span malformed (e.g. an id that is not hex). */
  problem?: string;
}

export interface RawResourceGroup {
  resource: Attributes;
  scopes: { name: string; version: string; spans: RawSpan[] }[];
}

export interface IngestLimits {
  maxAgeNs: bigint;
  maxFutureNs: bigint;
  values?: ValueLimits;
}

export const defaultLimits: IngestLimits = {
  maxAgeNs: 7n * 24n * 3600n * 1_000_000_000n,
  maxFutureNs: 3600n * 1_000_000_000n,
};

export interface Problem {
  code: RejectCode;
  message: string;
}

const MAX_DURATION_NS = 31n * 86_400n * 1_000_000_000n;

function isAllZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

const no = (code: RejectCode, message: string): Problem => ({ code, message });

/** Why a span cannot be stored, or null when it is fine. */
export function spanProblem(span: RawSpan, serviceName: string, limits: IngestLimits, nowNs: bigint): Problem | null {
  if (span.problem) return no("malformed", span.problem);
  if (span.traceId.length !== 16) return no("invalid_id", `trace id must be 16 bytes, got ${span.traceId.length}`);
  if (isAllZero(span.traceId)) return no("invalid_id", "trace id is all zeroes");
  if (span.spanId.length !== 8) return no("invalid_id", `span id must be 8 bytes, got ${span.spanId.length}`);
  if (isAllZero(span.spanId)) return no("invalid_id", "span id is all zeroes");
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8)
    return no("invalid_id", `parent span id must be empty or 8 bytes, got ${span.parentSpanId.length}`);
  // A link id that is not hex would be stored and then fail every later lookup that decodes it.
  for (let i = 0; i < span.links.length; i++) {
    const problem = linkProblem(span.links[i]!, i);
    if (problem) return no("invalid_id", problem);
  }
  if (!serviceName) return no("missing_service", "missing service name (resource attribute service.name)");
  if (!Number.isInteger(span.kind) || span.kind < 0 || span.kind > 5)
    return no("invalid_kind", `invalid span kind ${span.kind}`);
  // Found by the fuzz test: a fractional code (5.2e-151) passed a range check and then failed the COPY into smallint.
  if (!Number.isInteger(span.statusCode) || span.statusCode < 0 || span.statusCode > 2)
    return no("invalid_status", `invalid status code ${span.statusCode}`);
  if (span.startNs <= 0n) return no("bad_time", "missing start time");
  if (span.endNs < span.startNs) return no("bad_time", "end time is before start time");
  // Found by the fuzz test: a fixed64 end far in the future overflowed the bigint duration column and failed the COPY.
  if (span.endNs - span.startNs > MAX_DURATION_NS) return no("bad_time", "duration longer than 31 days");
  if (span.startNs < nowNs - limits.maxAgeNs) return no("too_old", "start time is older than the accepted age");
  if (span.startNs > nowNs + limits.maxFutureNs) return no("too_new", "start time is too far in the future");
  return null;
}

export function nowUnixNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Validates every span and turns the good ones into storable records, with strings repaired and cut and
 * attribute counts capped (counted in `adjusted`). With a trace counter, spans beyond a trace's cap are rejected.
 */
export function normalize(
  groups: RawResourceGroup[],
  limits: IngestLimits,
  nowNs = nowUnixNs(),
  traces?: TraceSpanCounter,
): DecodedBatch {
  const clean = new ValueCleaner(limits.values ?? defaultValueLimits);
  const batch: DecodedBatch = { spans: [], rejected: [], adjusted: clean.adjusted };
  let json: ByteWriter | null = null; // for attributes still in wire form: one buffer for the batch
  const perTrace = traces ? new TraceCaps(traces) : null;
  let index = 0;
  for (const group of groups) {
    const resource = clean.attributes(group.resource);
    const service = resource["service.name"];
    const serviceName = typeof service === "string" ? service.trim() : "";
    for (const scope of group.scopes) {
      const scopeInfo = { name: clean.text(scope.name), version: clean.text(scope.version) };
      for (const span of scope.spans) {
        let problem = spanProblem(span, serviceName, limits, nowNs) ?? perTrace?.problem(span) ?? null;
        let attributes: SpanRecord["attributes"] | null = null;
        if (!problem) {
          try {
            attributes =
              span.attributes instanceof WireAttributes
                ? encodeWireAttributes((json ??= new ByteWriter(span.attributes.buf.length)), span.attributes, clean)
                : clean.attributes(span.attributes);
          } catch (err) {
            // Read lazily: a broken attribute list costs its span, not the whole request.
            if (!(err instanceof DecodeError)) throw err;
            problem = { code: "malformed", message: `cannot decode attributes: ${err.message}` };
          }
        }
        if (problem) batch.rejected.push({ index, reason: problem.message, code: problem.code });
        else {
          perTrace?.count(span);
          batch.spans.push(toRecord(span, serviceName, resource, scopeInfo, attributes!, clean));
        }
        index++;
      }
    }
  }
  if (perTrace) batch.perTrace = perTrace.inThisBatch;
  return batch;
}

/** The spans-per-trace cap within one batch: accepted spans per trace (hex id) on top of what the counter has seen. */
class TraceCaps {
  readonly inThisBatch = new Map<string, number>();
  // Spans of one trace mostly arrive together: the previous span's hex id is reused when the bytes match.
  private lastId: Buffer | null = null;
  private lastHex = "";

  constructor(private readonly traces: TraceSpanCounter) {}

  private hex(span: RawSpan): string {
    if (this.lastId === null || !span.traceId.equals(this.lastId)) {
      this.lastHex = span.traceId.toString("hex");
      this.lastId = span.traceId;
    }
    return this.lastHex;
  }

  problem(span: RawSpan): Problem | null {
    const id = this.hex(span);
    if (this.traces.allows(id, (this.inThisBatch.get(id) ?? 0) + 1)) return null;
    return { code: "trace_too_large", message: `trace has more than ${this.traces.maxSpansPerTrace} spans` };
  }

  count(span: RawSpan): void {
    const id = this.hex(span);
    this.inThisBatch.set(id, (this.inThisBatch.get(id) ?? 0) + 1);
  }
}

function toRecord(
  span: RawSpan,
  serviceName: string,
  resource: Attributes,
  scope: { name: string; version: string },
  attributes: SpanRecord["attributes"],
  clean: ValueCleaner,
): SpanRecord {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId.length === 8 && !isAllZero(span.parentSpanId) ? span.parentSpanId : null,
    traceState: clean.text(span.traceState) || null,
    serviceName,
    name: clean.text(span.name),
    kind: span.kind,
    startNs: span.startNs,
    durationNs: span.endNs - span.startNs,
    statusCode: span.statusCode,
    statusMessage: clean.text(span.statusMessage) || null,
    attributes,
    resourceAttributes: resource,
    scopeName: scope.name || null,
    scopeVersion: scope.version || null,
    events: clean.events(span.events),
    links: clean.links(span.links),
  };
}

/** Text for OTLP partial success: how many were rejected and the distinct reasons. */
export function rejectionMessage(batch: DecodedBatch): string {
  if (batch.rejected.length === 0) return "";
  const reasons = new Map<string, number[]>();
  for (const r of batch.rejected) {
    const list = reasons.get(r.reason) ?? [];
    list.push(r.index);
    reasons.set(r.reason, list);
  }
  const parts = [...reasons].map(([reason, idx]) => {
    const shown = idx.slice(0, 5).join(", ") + (idx.length > 5 ? ", ..." : "");
    return `${reason} (${idx.length} span${idx.length > 1 ? "s" : ""}: #${shown})`;
  });
  return `${batch.rejected.length} span(s) rejected: ${parts.join("; ")}`;
}
