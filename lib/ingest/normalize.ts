import type { Attributes, DecodedBatch, SpanEvent, SpanLink, SpanRecord } from "../domain/span";

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
  attributes: Attributes;
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
}

export const defaultLimits: IngestLimits = {
  maxAgeNs: 7n * 24n * 3600n * 1_000_000_000n,
  maxFutureNs: 3600n * 1_000_000_000n,
};

const isAllZero = (b: Buffer) => b.every((x) => x === 0);

/** Why a span cannot be stored, or null when it is fine. */
export function spanProblem(span: RawSpan, serviceName: string, limits: IngestLimits, nowNs: bigint): string | null {
  if (span.problem) return span.problem;
  if (span.traceId.length !== 16) return `trace id must be 16 bytes, got ${span.traceId.length}`;
  if (isAllZero(span.traceId)) return "trace id is all zeroes";
  if (span.spanId.length !== 8) return `span id must be 8 bytes, got ${span.spanId.length}`;
  if (isAllZero(span.spanId)) return "span id is all zeroes";
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8)
    return `parent span id must be empty or 8 bytes, got ${span.parentSpanId.length}`;
  if (!serviceName) return "missing service name (resource attribute service.name)";
  if (!Number.isInteger(span.kind) || span.kind < 0 || span.kind > 5) return `invalid span kind ${span.kind}`;
  if (span.statusCode < 0 || span.statusCode > 2) return `invalid status code ${span.statusCode}`;
  if (span.startNs <= 0n) return "missing start time";
  if (span.endNs < span.startNs) return "end time is before start time";
  if (span.startNs < nowNs - limits.maxAgeNs) return "start time is older than the accepted age";
  if (span.startNs > nowNs + limits.maxFutureNs) return "start time is too far in the future";
  return null;
}

export function nowUnixNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Validates every span and turns the good ones into storable records. */
export function normalize(groups: RawResourceGroup[], limits: IngestLimits, nowNs = nowUnixNs()): DecodedBatch {
  const batch: DecodedBatch = { spans: [], rejected: [] };
  let index = 0;
  for (const group of groups) {
    const service = group.resource["service.name"];
    const serviceName = typeof service === "string" ? service.trim() : "";
    for (const scope of group.scopes) {
      for (const span of scope.spans) {
        const problem = spanProblem(span, serviceName, limits, nowNs);
        if (problem) batch.rejected.push({ index, reason: problem });
        else batch.spans.push(toRecord(span, serviceName, group.resource, scope));
        index++;
      }
    }
  }
  return batch;
}

function toRecord(
  span: RawSpan,
  serviceName: string,
  resource: Attributes,
  scope: { name: string; version: string },
): SpanRecord {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId.length === 8 && !isAllZero(span.parentSpanId) ? span.parentSpanId : null,
    traceState: span.traceState || null,
    serviceName,
    name: span.name,
    kind: span.kind,
    startNs: span.startNs,
    durationNs: span.endNs - span.startNs,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage || null,
    attributes: span.attributes,
    resourceAttributes: resource,
    scopeName: scope.name || null,
    scopeVersion: scope.version || null,
    events: span.events,
    links: span.links,
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
