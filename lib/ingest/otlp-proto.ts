import type { Attributes, SpanEvent, SpanLink } from "../model/span";
import { newAttributes } from "../model/span";
import type { RawResourceGroup, RawSpan } from "./normalize";
import { readKeyValue, WireAttributes } from "./otlp-attributes";
import { ProtoReader, ProtoWriter, WireType } from "./protobuf-reader";

// Field numbers from opentelemetry-proto: collector/trace/v1/trace_service.proto and trace/v1/trace.proto.
const EMPTY = Buffer.alloc(0);

export function decodeExportTraceRequest(buf: Buffer): RawResourceGroup[] {
  const r = new ProtoReader(buf);
  const groups: RawResourceGroup[] = [];
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) groups.push(readResourceSpans(r.sub()));
    else r.skip(wt);
  }
  return groups;
}

function readResourceSpans(r: ProtoReader): RawResourceGroup {
  const group: RawResourceGroup = { resource: newAttributes(), scopes: [] };
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) group.resource = readResource(r.sub());
    else if (field === 2 && wt === WireType.LEN) group.scopes.push(readScopeSpans(r.sub()));
    else r.skip(wt);
  }
  return group;
}

function readResource(r: ProtoReader): Attributes {
  const attrs = newAttributes();
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) readKeyValue(r.sub(), attrs, 0);
    else r.skip(wt);
  }
  return attrs;
}

function readScopeSpans(r: ProtoReader): RawResourceGroup["scopes"][number] {
  const scope = { name: "", version: "", spans: [] as RawSpan[] };
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) {
      const s = r.sub();
      while (!s.done()) {
        const [f, w] = s.tag();
        if (f === 1 && w === WireType.LEN) scope.name = s.string();
        else if (f === 2 && w === WireType.LEN) scope.version = s.string();
        else s.skip(w);
      }
    } else if (field === 2 && wt === WireType.LEN) scope.spans.push(readSpan(r.sub()));
    else r.skip(wt);
  }
  return scope;
}

function readSpan(r: ProtoReader): RawSpan {
  const attributes: number[] = [];
  const span: RawSpan = {
    traceId: EMPTY,
    spanId: EMPTY,
    parentSpanId: EMPTY,
    traceState: "",
    name: "",
    kind: 0,
    startNs: 0n,
    endNs: 0n,
    attributes: new WireAttributes(r.buf, attributes),
    events: [],
    links: [],
    statusCode: 0,
    statusMessage: "",
  };
  while (!r.done()) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        r.expect(WireType.LEN, wt, "trace_id");
        span.traceId = r.bytes();
        break;
      case 2:
        r.expect(WireType.LEN, wt, "span_id");
        span.spanId = r.bytes();
        break;
      case 3:
        r.expect(WireType.LEN, wt, "trace_state");
        span.traceState = r.string();
        break;
      case 4:
        r.expect(WireType.LEN, wt, "parent_span_id");
        span.parentSpanId = r.bytes();
        break;
      case 5:
        r.expect(WireType.LEN, wt, "name");
        span.name = r.string();
        break;
      case 6:
        r.expect(WireType.VARINT, wt, "kind");
        span.kind = r.enumValue();
        break;
      case 7:
        r.expect(WireType.I64, wt, "start_time_unix_nano");
        span.startNs = r.fixed64();
        break;
      case 8:
        r.expect(WireType.I64, wt, "end_time_unix_nano");
        span.endNs = r.fixed64();
        break;
      // Kept as byte ranges: normalize() encodes them to stored JSON without building objects.
      case 9:
        r.expect(WireType.LEN, wt, "attributes");
        attributes.push(r.lengthDelimited(), r.pos);
        break;
      case 11:
        r.expect(WireType.LEN, wt, "events");
        span.events.push(readEvent(r.sub()));
        break;
      case 13:
        r.expect(WireType.LEN, wt, "links");
        span.links.push(readLink(r.sub()));
        break;
      case 15:
        r.expect(WireType.LEN, wt, "status");
        readStatus(r.sub(), span);
        break;
      default:
        r.skip(wt);
    }
  }
  return span;
}

function readStatus(r: ProtoReader, span: RawSpan): void {
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 2 && wt === WireType.LEN) span.statusMessage = r.string();
    else if (field === 3 && wt === WireType.VARINT) span.statusCode = r.enumValue();
    else r.skip(wt);
  }
}

function readEvent(r: ProtoReader): SpanEvent {
  const event: SpanEvent = { timeUnixNano: "0", name: "", attributes: newAttributes() };
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.I64) event.timeUnixNano = r.fixed64().toString();
    else if (field === 2 && wt === WireType.LEN) event.name = r.string();
    else if (field === 3 && wt === WireType.LEN) readKeyValue(r.sub(), event.attributes, 0);
    else r.skip(wt);
  }
  return event;
}

function readLink(r: ProtoReader): SpanLink {
  const link: SpanLink = { traceId: "", spanId: "", attributes: newAttributes() };
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) link.traceId = r.bytes().toString("hex");
    else if (field === 2 && wt === WireType.LEN) link.spanId = r.bytes().toString("hex");
    else if (field === 3 && wt === WireType.LEN) link.traceState = r.string() || undefined;
    else if (field === 4 && wt === WireType.LEN) readKeyValue(r.sub(), link.attributes, 0);
    else r.skip(wt);
  }
  return link;
}

/** ExportTraceServiceResponse { partial_success { rejected_spans = 1; error_message = 2 } } */
export function encodeExportResponse(rejected: number, message: string): Buffer {
  if (rejected === 0 && !message) return Buffer.alloc(0);
  const partial = new ProtoWriter().int(1, rejected).string(2, message).finish();
  return new ProtoWriter().bytes(1, partial).finish();
}

/** google.rpc.Status { code = 1; message = 2 } as OTLP/HTTP requires for error bodies. */
export function encodeRpcStatus(code: number, message: string): Buffer {
  return new ProtoWriter().int(1, code).string(2, message).finish();
}
