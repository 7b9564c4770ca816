// Datadog agent trace API (what dd-trace sends to :8126): msgpack v0.4 payloads, an array of traces, each an
// array of spans with 64-bit ids, mapped into the same raw spans as OTLP.
import { decode } from "@msgpack/msgpack";
import { newAttributes, SpanKind, StatusCode, type Attributes } from "../model/span";
import type { RawResourceGroup, RawSpan } from "./normalize";
import { DecodeError } from "./protobuf-reader";
import { isObject, type Json } from "./json-shape";

const u64 = (v: unknown): bigint | null =>
  typeof v === "bigint"
    ? BigInt.asUintN(64, v)
    : typeof v === "number" && Number.isInteger(v) && v >= 0
      ? BigInt(v)
      : null;
const hex64 = (v: bigint) => v.toString(16).padStart(16, "0");

const KIND_BY_META: Record<string, number> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};
const CLIENT_TYPES = new Set([
  "http",
  "sql",
  "db",
  "cache",
  "redis",
  "memcached",
  "mongodb",
  "cassandra",
  "elasticsearch",
  "grpc",
]);

export function decodeDatadogTraces(body: Buffer): RawResourceGroup[] {
  let payload: unknown;
  try {
    payload = decode(body, { useBigInt64: true });
  } catch (err) {
    throw new DecodeError(`body is not msgpack: ${(err as Error).message}`);
  }
  if (!Array.isArray(payload)) throw new DecodeError("body must be a msgpack array of traces");
  const groups = new Map<string, RawResourceGroup>();
  for (const trace of payload) {
    const chunk = (Array.isArray(trace) ? trace : [trace]).map((raw) => (isObject(raw) ? raw : {}));
    // dd-trace puts the upper 64 bits of a 128-bit trace id (_dd.p.tid) on the chunk's first span only.
    const upperOf = new Map<bigint, string>();
    for (const s of chunk) {
      const tid = isObject(s.meta) ? s.meta["_dd.p.tid"] : undefined;
      const low = u64(s.trace_id);
      if (low !== null && typeof tid === "string" && /^[0-9a-f]{16}$/.test(tid)) upperOf.set(low, tid);
    }
    for (const s of chunk) {
      const service = typeof s.service === "string" ? s.service : "";
      let group = groups.get(service);
      if (!group) {
        const resource = newAttributes();
        resource["service.name"] = service;
        group = { resource, scopes: [{ name: "dd-trace", version: "", spans: [] }] };
        groups.set(service, group);
      }
      group.scopes[0]!.spans.push(toRawSpan(s, upperOf));
    }
  }
  return [...groups.values()];
}

function toRawSpan(s: Json, upperOf: Map<bigint, string>): RawSpan {
  const meta = isObject(s.meta) ? s.meta : {};
  const metrics = isObject(s.metrics) ? s.metrics : {};
  const attributes: Attributes = newAttributes();
  for (const [k, v] of Object.entries(meta)) if (typeof v === "string" && !k.startsWith("_dd.")) attributes[k] = v;
  for (const [k, v] of Object.entries(metrics)) if (typeof v === "number" && !k.startsWith("_")) attributes[k] = v;
  if (typeof s.name === "string") attributes["dd.operation"] = s.name;
  const status = Number(meta["http.status_code"]);
  if (Number.isInteger(status)) attributes["http.response.status_code"] = status;
  if (typeof meta["out.host"] === "string" && !attributes["server.address"])
    attributes["server.address"] = meta["out.host"];
  const traceLow = u64(s.trace_id);
  const upper = (traceLow !== null && upperOf.get(traceLow)) || "0".repeat(16);
  const spanId = u64(s.span_id);
  const parent = u64(s.parent_id);
  // A float that is not a number (NaN, Infinity from msgpack) costs this span only, not the payload.
  const problems: string[] = [];
  const nanos = (v: unknown, field: string, missing: bigint): bigint => {
    if (typeof v === "bigint") return v;
    if (typeof v === "number" && Number.isFinite(v)) return BigInt(Math.round(v));
    if (v !== undefined && v !== null) problems.push(`${field} must be an integer number of nanoseconds`);
    return missing;
  };
  const start = nanos(s.start, "start", 0n);
  const duration = nanos(s.duration, "duration", -1n);
  const type = typeof s.type === "string" ? s.type : "";
  const kindMeta = typeof meta["span.kind"] === "string" ? KIND_BY_META[meta["span.kind"]] : undefined;
  const failed = s.error === 1 || s.error === 1n;
  return {
    traceId: traceLow === null ? Buffer.alloc(0) : Buffer.from(upper + hex64(traceLow), "hex"),
    spanId: spanId === null ? Buffer.alloc(0) : Buffer.from(hex64(spanId), "hex"),
    parentSpanId: parent ? Buffer.from(hex64(parent), "hex") : Buffer.alloc(0),
    traceState: "",
    name: typeof s.resource === "string" && s.resource ? s.resource : typeof s.name === "string" ? s.name : "",
    kind: kindMeta ?? (type === "web" ? SpanKind.SERVER : CLIENT_TYPES.has(type) ? SpanKind.CLIENT : SpanKind.INTERNAL),
    startNs: start,
    endNs: start + duration,
    attributes,
    events: [],
    links: [],
    statusCode: failed ? StatusCode.ERROR : StatusCode.UNSET,
    statusMessage: failed ? String(meta["error.message"] ?? meta["error.msg"] ?? meta["error.type"] ?? "error") : "",
    ...(problems.length ? { problem: problems.join("; ") } : {}),
  };
}
