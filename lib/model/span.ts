// The normalised span every receiver produces and the database stores.
export const SpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

/** Attribute maps keyed by untrusted input: no prototype, so a key named "__proto__" is just a key. */
export function newAttributes(): Attributes {
  return Object.create(null) as Attributes;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * OTLP bytes values are stored as {"bytesValue": base64} (OTLP JSON's own spelling), so readers can tell them
 * from text and Jaeger gets them back as `binary` tags.
 */
export function bytesValue(base64: string): Attributes {
  const o = newAttributes();
  o.bytesValue = base64;
  return o;
}

/** The base64 of a stored bytes value; null for anything else. */
export function bytesOf(v: unknown): string | null {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
  const b = (v as Record<string, unknown>).bytesValue;
  return typeof b === "string" && Object.keys(v).length === 1 && BASE64.test(b) ? b : null;
}

/**
 * Attributes already encoded as JSON text (UTF-8, cleaned: no NUL, no lone surrogates, within the limits), as the
 * OTLP protobuf receiver makes them straight from the request bytes without building objects.
 */
export class EncodedJson {
  constructor(readonly bytes: Buffer) {}

  toObject(): Attributes {
    return Object.assign(newAttributes(), JSON.parse(this.bytes.toString("utf8")) as Attributes);
  }
}

export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

export interface SpanRecord {
  traceId: Buffer; // 16 bytes
  spanId: Buffer; // 8 bytes
  parentSpanId: Buffer | null;
  traceState: string | null;
  serviceName: string;
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  statusCode: number;
  statusMessage: string | null;
  attributes: Attributes | EncodedJson;
  resourceAttributes: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
  events: SpanEvent[];
  links: SpanLink[];
}

/** Why a span was rejected, as a metric label (bounded set); the message says it for people. */
export type RejectCode =
  | "malformed"
  | "invalid_id"
  | "missing_service"
  | "invalid_kind"
  | "invalid_status"
  | "bad_time"
  | "too_old"
  | "too_new"
  | "trace_too_large";

export interface Rejection {
  index: number;
  reason: string;
  code: RejectCode;
}

/** What a receiver hands to the writer: the accepted spans, why the others were rejected, what was cut. */
export interface DecodedBatch {
  spans: SpanRecord[];
  rejected: Rejection[];
  adjusted?: Adjustments;
  /** Accepted spans per trace (hex id), when spans per trace are capped: counted once, during validation. */
  perTrace?: Map<string, number>;
}

/** What was changed to make spans storable; counted, never silent. */
export interface Adjustments {
  truncatedValues: number;
  droppedAttributes: number;
  droppedEvents: number;
  repairedText: number;
}

/**
 * The fields every read form of a stored span shares, ids as lower-case hex. SpanRecord (above) is the write form,
 * as receivers produce it and COPY stores it; lib/db converts rows to the read forms below.
 */
export interface SpanCore {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  serviceName: string;
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  statusCode: number;
  statusMessage: string | null;
  traceState: string | null;
}

/** A stored span read back whole (trace views, Jaeger API): its core plus resource, scope, events and links. */
export interface StoredSpan extends SpanCore {
  attributes: Record<string, unknown>;
  resourceAttributes: Record<string, unknown>;
  scopeName: string | null;
  scopeVersion: string | null;
  events: { timeUnixNano: string; name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string; attributes?: Record<string, unknown> }[];
}

/** A stored span as the aggregator reads it: no scope or events, attributes parsed on first use, and its epoch. */
export interface AggSpan extends SpanCore {
  attributes: Attributes;
  /**
   * The attributes as stored (JSON text) when they are parsed only on first use: most spans of a pass never need
   * them, and parsing every span's attributes was the biggest part of reading an epoch.
   */
  attributesText?: string;
  resourceAttributes: Attributes;
  links: { traceId: string; spanId: string }[];
  /** The ingest epoch it was committed in. */
  epoch: number;
}
