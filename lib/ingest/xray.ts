// AWS X-Ray segment documents (the daemon's UDP protocol) mapped into the same raw spans as OTLP.
// A segment is a service handling a request (server span); its subsegments are its work and its calls: remote
// and AWS calls become client spans named after what they call, so they meet the map's virtual-node rules.
import { newAttributes, SpanKind, StatusCode, type Attributes } from "../model/span";
import type { RawResourceGroup, RawSpan } from "./normalize";
import { DecodeError } from "./protobuf-reader";
import { isObject, type Json } from "./json-shape";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export const XRAY_HEADER = '{"format":"json","version":1}';

/** One UDP datagram: the protocol header, a newline, one segment document. */
export function decodeXRayDatagram(datagram: Buffer): RawResourceGroup[] {
  const text = datagram.toString("utf8");
  const nl = text.indexOf("\n");
  if (nl < 0) throw new DecodeError("missing the X-Ray header line");
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, nl));
  } catch {
    throw new DecodeError("header is not JSON");
  }
  if (!isObject(header) || header.format !== "json" || header.version !== 1)
    throw new DecodeError(`unsupported header ${text.slice(0, nl)}`);
  return decodeXRaySegment(JSON.parse(text.slice(nl + 1)));
}

/** "1-5759e988-bd862e3fe1be46a994272793" -> the 16 bytes; anything else -> empty (rejected as a bad id). */
export function xrayTraceId(v: unknown): Buffer {
  const m = typeof v === "string" ? /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(v) : null;
  return m ? Buffer.from(m[1]! + m[2]!, "hex") : Buffer.alloc(0);
}

const hexId = (v: unknown) =>
  typeof v === "string" && /^[0-9a-f]{16}$/.test(v) ? Buffer.from(v, "hex") : Buffer.alloc(0);
const ns = (seconds: unknown) =>
  typeof seconds === "number" && Number.isFinite(seconds) ? BigInt(Math.round(seconds * 1e6)) * 1000n : 0n;

export function decodeXRaySegment(doc: unknown): RawResourceGroup[] {
  if (!isObject(doc)) throw new DecodeError("segment document must be a JSON object");
  if (doc.type === "subsegment")
    throw new DecodeError(
      "standalone subsegments are not supported: send whole segments (streamingThreshold above your subsegment count)",
    );
  const service = str(doc.name) ?? "";
  const resource = newAttributes();
  resource["service.name"] = service;
  if (str(doc.origin)) resource["cloud.platform"] = str(doc.origin)!;
  const traceId = xrayTraceId(doc.trace_id);
  const spans: RawSpan[] = [];
  const walk = (s: Json, parent: Buffer | null, isSegment: boolean) => {
    spans.push(toRawSpan(s, traceId, parent, isSegment));
    for (const sub of Array.isArray(s.subsegments) ? s.subsegments : [])
      if (isObject(sub)) walk(sub, hexId(s.id), false);
  };
  walk(doc, doc.parent_id ? hexId(doc.parent_id) : null, true);
  return [{ resource, scopes: [{ name: "aws-xray", version: "", spans }] }];
}

function toRawSpan(s: Json, traceId: Buffer, parent: Buffer | null, isSegment: boolean): RawSpan {
  const attributes: Attributes = newAttributes();
  const http = isObject(s.http) ? s.http : {};
  const request = isObject(http.request) ? http.request : {};
  const response = isObject(http.response) ? http.response : {};
  if (str(request.method)) attributes["http.request.method"] = str(request.method)!;
  if (str(request.url)) attributes["url.full"] = str(request.url)!;
  if (typeof response.status === "number") attributes["http.response.status_code"] = response.status;
  const remote = s.namespace === "remote" || s.namespace === "aws";
  const sql = isObject(s.sql) ? s.sql : null;
  if (!isSegment && remote) attributes["peer.service"] = str(s.name) ?? "";
  if (s.namespace === "aws") {
    attributes["rpc.system"] = "aws-api";
    attributes["rpc.service"] = str(s.name) ?? "";
    const aws = isObject(s.aws) ? s.aws : {};
    if (str(aws.operation)) attributes["rpc.method"] = str(aws.operation)!;
  }
  if (sql) {
    attributes["db.system"] = (str(sql.database_type) ?? "sql").toLowerCase();
    if (str(sql.url)) attributes["server.address"] = str(sql.url)!;
  }
  for (const [k, v] of Object.entries(isObject(s.annotations) ? s.annotations : {})) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") attributes[k] = v;
  }
  const fault = s.fault === true;
  const cause =
    isObject(s.cause) && Array.isArray(s.cause.exceptions) && isObject(s.cause.exceptions[0])
      ? str(s.cause.exceptions[0].message)
      : undefined;
  const start = ns(s.start_time);
  return {
    traceId,
    spanId: hexId(s.id),
    parentSpanId: parent ?? Buffer.alloc(0),
    traceState: "",
    name: str(s.name) ?? "",
    kind: isSegment ? SpanKind.SERVER : remote || sql || str(request.url) ? SpanKind.CLIENT : SpanKind.INTERNAL,
    startNs: start,
    endNs: s.in_progress === true ? start - 1n : ns(s.end_time),
    attributes,
    events: [],
    links: [],
    statusCode: fault ? StatusCode.ERROR : StatusCode.UNSET,
    statusMessage: fault ? (cause ?? "fault") : "",
    ...(s.in_progress === true ? { problem: "segment still in progress (no end_time)" } : {}),
  };
}
