import { newAttributes, SpanKind, StatusCode, type SpanEvent } from "../model/span";
import type { RawResourceGroup, RawSpan } from "./normalize";
import { DecodeError } from "./protobuf-reader";
import { isObject, type Json } from "./json-shape";

// Zipkin v2 JSON (api/v2/spans): one resource group per span, so rejection indexes match array positions.

const KINDS: Record<string, number> = {
  CLIENT: SpanKind.CLIENT,
  SERVER: SpanKind.SERVER,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};

export function decodeZipkinJson(body: unknown): RawResourceGroup[] {
  if (!Array.isArray(body)) throw new DecodeError("body must be a JSON array of Zipkin v2 spans");
  return body.map((item) => {
    const z = isObject(item) ? item : {};
    const local = isObject(z.localEndpoint) ? z.localEndpoint : {};
    const resource = newAttributes();
    if (typeof local.serviceName === "string") resource["service.name"] = local.serviceName;
    return { resource, scopes: [{ name: "", version: "", spans: [toRawSpan(z, item)] }] };
  });
}

function toRawSpan(z: Json, original: unknown): RawSpan {
  const problems: string[] = isObject(original) ? [] : ["span must be an object"];
  const hexId = (field: string, lengths: number[], required: boolean): Buffer => {
    const v = z[field];
    if (v === undefined || v === null || v === "") {
      if (required) problems.push(`${field} is missing`);
      return Buffer.alloc(0);
    }
    if (typeof v !== "string" || !/^[0-9a-fA-F]+$/.test(v) || !lengths.includes(v.length)) {
      problems.push(`${field} must be ${lengths.join(" or ")} hex characters`);
      return Buffer.alloc(0);
    }
    // 64-bit Zipkin trace ids become 128-bit by zero-padding, as OpenTelemetry does.
    return Buffer.from(v.padStart(lengths[lengths.length - 1]!, "0"), "hex");
  };

  const attributes = newAttributes();
  const tags = isObject(z.tags) ? z.tags : {};
  // Zipkin tags are strings; numbers and booleans some tracers send are kept as their text. Nested values are not
  // Zipkin: they cost this span, not the request (and are never walked, however deep).
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v === "string") attributes[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") attributes[k] = String(v);
    else if (v === null) attributes[k] = null;
    else problems.push(`tags.${k} must be a string`);
  }

  const remote = isObject(z.remoteEndpoint) ? z.remoteEndpoint : {};
  if (typeof remote.serviceName === "string" && remote.serviceName) attributes["peer.service"] = remote.serviceName;
  const remoteAddress = remote.ipv4 ?? remote.ipv6;
  if (typeof remoteAddress === "string") attributes["network.peer.address"] = remoteAddress;
  if (typeof remote.port === "number") attributes["network.peer.port"] = remote.port;
  if (z.shared === true) attributes["zipkin.shared"] = true;

  let statusCode: number = StatusCode.UNSET;
  let statusMessage = "";
  const otelStatus = tags["otel.status_code"];
  if (otelStatus === "ERROR" || typeof tags.error === "string") {
    statusCode = StatusCode.ERROR;
    statusMessage = typeof tags.error === "string" ? tags.error : "";
  } else if (otelStatus === "OK") statusCode = StatusCode.OK;

  const micros = (v: unknown, field: string): bigint => {
    if (v === undefined || v === null) return 0n;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return BigInt(Math.trunc(v)) * 1000n;
    problems.push(`${field} must be a non-negative number of microseconds`);
    return 0n;
  };
  const startNs = micros(z.timestamp, "timestamp");
  const durationNs = micros(z.duration, "duration");

  const events: SpanEvent[] = (Array.isArray(z.annotations) ? z.annotations : []).filter(isObject).map((a, i) => ({
    timeUnixNano: micros(a.timestamp, `annotations[${i}].timestamp`).toString(),
    name: typeof a.value === "string" ? a.value : "",
    attributes: newAttributes(),
  }));

  const kind = typeof z.kind === "string" ? (KINDS[z.kind] ?? -1) : SpanKind.INTERNAL;
  if (kind === -1) problems.push(`unknown kind ${String(z.kind)}`);

  const span: RawSpan = {
    traceId: hexId("traceId", [16, 32], true),
    spanId: hexId("id", [16], true),
    parentSpanId: hexId("parentId", [16], false),
    traceState: "",
    name: typeof z.name === "string" ? z.name : "",
    kind: Math.max(kind, 0),
    startNs,
    endNs: startNs + durationNs,
    attributes,
    events,
    links: [],
    statusCode,
    statusMessage,
  };
  if (problems.length) span.problem = problems.join("; ");
  return span;
}
