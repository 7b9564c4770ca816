import type { AttributeValue, Attributes, SpanEvent, SpanLink } from "../model/span";
import { bytesValue, newAttributes } from "../model/span";
import type { RawResourceGroup, RawSpan } from "./normalize";
import { doubleValue, int64Value } from "./otlp-attributes";
import { DecodeError } from "./protobuf-reader";
import { isObject } from "./json-shape";

// OTLP/JSON per the spec: hex ids, integer enums (names tolerated), int64 as string or number, unknown fields ignored.
const MAX_DEPTH = 16;

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const asArray = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v;
};
const asString = (v: unknown): string => (typeof v === "string" ? v : "");

export function decodeOtlpJson(body: unknown): RawResourceGroup[] {
  if (!isObject(body)) throw new DecodeError("body must be a JSON object with resourceSpans");
  return asArray(body.resourceSpans, "resourceSpans").map((rs, i) => {
    if (!isObject(rs)) throw new DecodeError(`resourceSpans[${i}] must be an object`);
    const resource = isObject(rs.resource) ? attributesOf(rs.resource.attributes, 0) : newAttributes();
    const scopes = asArray(rs.scopeSpans, "scopeSpans").map((ss, j) => {
      if (!isObject(ss)) throw new DecodeError(`scopeSpans[${j}] must be an object`);
      const scope = isObject(ss.scope) ? ss.scope : {};
      return {
        name: asString(scope.name),
        version: asString(scope.version),
        spans: asArray(ss.spans, "spans").map(readSpan),
      };
    });
    return { resource, scopes };
  });
}

function readSpan(v: unknown): RawSpan {
  const s = isObject(v) ? v : {};
  const problems: string[] = [];
  const id = (field: string) => {
    const value = s[field];
    if (value === undefined || value === null || value === "") return Buffer.alloc(0);
    if (typeof value !== "string" || !/^(?:[0-9a-fA-F]{2})*$/.test(value)) {
      problems.push(`${field} is not a hex string`);
      return Buffer.alloc(0);
    }
    return Buffer.from(value, "hex");
  };
  const status = isObject(s.status) ? s.status : {};
  // A malformed list or value costs this span only (partial success), named by its position in the request.
  const field = <T>(name: string, read: () => T, empty: T): T => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      problems.push(`${name}: ${err.message}`);
      return empty;
    }
  };
  const span: RawSpan = {
    traceId: id("traceId"),
    spanId: id("spanId"),
    parentSpanId: id("parentSpanId"),
    traceState: asString(s.traceState),
    name: asString(s.name),
    kind: enumValue(s.kind, KIND_NAMES),
    startNs: nanos(s.startTimeUnixNano, problems, "startTimeUnixNano"),
    endNs: nanos(s.endTimeUnixNano, problems, "endTimeUnixNano"),
    attributes: field("attributes", () => attributesOf(s.attributes, 0), newAttributes()),
    events: field("events", () => asArray(s.events, "events").map(readEvent), []),
    links: field("links", () => asArray(s.links, "links").map(readLink), []),
    statusCode: enumValue(status.code, STATUS_NAMES),
    statusMessage: asString(status.message),
  };
  if (!isObject(v)) problems.push("span must be an object");
  if (problems.length) span.problem = problems.join("; ");
  return span;
}

function enumValue(v: unknown, names: Record<string, number>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return names[v] ?? (/^\d+$/.test(v) ? Number(v) : -1);
  return -1;
}

function nanos(v: unknown, problems: string[], field: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return BigInt(Math.trunc(v));
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return BigInt(v);
  problems.push(`${field} must be an unsigned integer`);
  return 0n;
}

function readEvent(v: unknown): SpanEvent {
  const e = isObject(v) ? v : {};
  return {
    timeUnixNano: nanos(e.timeUnixNano, [], "timeUnixNano").toString(),
    name: asString(e.name),
    attributes: attributesOf(e.attributes, 0),
  };
}

function readLink(v: unknown): SpanLink {
  const l = isObject(v) ? v : {};
  const link: SpanLink = {
    traceId: asString(l.traceId).toLowerCase(),
    spanId: asString(l.spanId).toLowerCase(),
    attributes: attributesOf(l.attributes, 0),
  };
  if (typeof l.traceState === "string" && l.traceState) link.traceState = l.traceState;
  return link;
}

function attributesOf(list: unknown, depth: number): Attributes {
  const attrs = newAttributes();
  for (const kv of asArray(list, "attributes")) {
    if (isObject(kv) && typeof kv.key === "string") attrs[kv.key] = anyValue(kv.value, depth + 1);
  }
  return attrs;
}

function anyValue(v: unknown, depth: number): AttributeValue {
  if (depth > MAX_DEPTH) throw new DecodeError(`attribute values nested deeper than ${MAX_DEPTH}`);
  if (!isObject(v)) return null;
  if (typeof v.stringValue === "string") return v.stringValue;
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.intValue !== undefined) {
    const i = v.intValue;
    if (typeof i === "number" && Number.isInteger(i)) return i;
    if (typeof i === "string" && /^-?\d{1,20}$/.test(i)) return int64Value(BigInt.asIntN(64, BigInt(i)));
    return null;
  }
  if (v.doubleValue !== undefined) {
    const d = v.doubleValue;
    if (typeof d === "number") return d;
    if (typeof d === "string") return doubleValue(Number(d));
    return null;
  }
  if (isObject(v.arrayValue))
    return asArray(v.arrayValue.values, "arrayValue.values").map((x) => anyValue(x, depth + 1));
  if (isObject(v.kvlistValue)) return attributesOf(v.kvlistValue.values, depth + 1);
  if (typeof v.bytesValue === "string") return bytesValue(v.bytesValue);
  return null;
}
