// Every receiver in one registry: what it decodes and how it answers. Transports (HTTP, gRPC, UDP) and what all
// receivers share (auth, admission, metrics, error mapping: receive.ts) are written once. Adding a receiver is a
// decoder plus one entry here (and its port in lib/config.ts).
import type { Config } from "../config";
import type { DecodedBatch } from "../model/span";
import type { RawResourceGroup } from "./normalize";
import type { AppError } from "../errors";
import { decodeDatadogTraces } from "./datadog";
import type { Protocol } from "./ingest-metrics";
import { rejectionMessage } from "./normalize";
import { decodeOtlpJson } from "./otlp-json";
import { decodeExportTraceRequest, encodeExportResponse, encodeRpcStatus } from "./otlp-proto";
import { decodeXRayDatagram } from "./xray";
import { decodeZipkinJson } from "./zipkin";

export interface Reply {
  status: number;
  type: string;
  body: Buffer | string;
  headers?: Record<string, string>;
}

interface ReceiverBase {
  /** Metrics label; also how logs name it. */
  protocol: Protocol;
  /** Key of RunningCollector.ports. */
  name: "otlpHttp" | "otlpGrpc" | "zipkin" | "xray" | "datadog";
  port: keyof Pick<Config, "OTLP_HTTP_PORT" | "OTLP_GRPC_PORT" | "ZIPKIN_PORT" | "XRAY_PORT" | "DATADOG_PORT">;
}

export interface HttpReceiver extends ReceiverBase {
  transport: "http";
  paths: string[];
  methods: string[];
  /** Media types taken ("" when the client sends none); others get 415 saying `mediaHint`. */
  accepts: string[];
  mediaHint: string;
  /** Serves the collector's GET probes (/metrics, /healthz, /readyz) beside it. */
  probes: boolean;
  decode(body: Buffer, mediaType: string): RawResourceGroup[];
  reply(batch: DecodedBatch, mediaType: string, log?: (m: string) => void): Reply;
  errorReply(e: AppError, mediaType: string): Reply;
}

export interface GrpcReceiver extends ReceiverBase {
  transport: "grpc";
  /** Full method path of the unary call. */
  method: string;
  decode(body: Buffer): RawResourceGroup[];
  reply(batch: DecodedBatch): Buffer;
}

/** One datagram one document; UDP has no answer, so failures are only counted and logged. */
export interface UdpReceiver extends ReceiverBase {
  transport: "udp";
  decode(datagram: Buffer): RawResourceGroup[];
}

export type Receiver = HttpReceiver | GrpcReceiver | UdpReceiver;

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";
const TEXT = "text/plain; charset=utf-8";
const json = (body: Buffer) => JSON.parse(body.toString("utf8"));
const textError = (e: AppError): Reply => ({ status: e.status, type: TEXT, body: e.message, headers: e.headers });

/** The gRPC status code matching an HTTP status, for google.rpc.Status bodies and gRPC errors. */
export function grpcCodeFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 413:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 404:
    case 405:
      return 12; // UNIMPLEMENTED
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

/** OTLP/HTTP: POST /v1/traces, protobuf or JSON, answered in the request's own encoding. */
const otlpHttp: HttpReceiver = {
  transport: "http",
  protocol: "otlp_http",
  name: "otlpHttp",
  port: "OTLP_HTTP_PORT",
  paths: ["/v1/traces"],
  methods: ["POST"],
  accepts: [PROTOBUF, JSON_TYPE],
  mediaHint: `use ${PROTOBUF} or ${JSON_TYPE}`,
  probes: true,
  decode: (body, type) => (type === PROTOBUF ? decodeExportTraceRequest(body) : decodeOtlpJson(json(body))),
  reply(batch, type) {
    const message = rejectionMessage(batch);
    if (type === PROTOBUF)
      return { status: 200, type: PROTOBUF, body: encodeExportResponse(batch.rejected.length, message) };
    const partial =
      batch.rejected.length === 0
        ? {}
        : { partialSuccess: { rejectedSpans: String(batch.rejected.length), errorMessage: message } };
    return { status: 200, type: JSON_TYPE, body: JSON.stringify(partial) };
  },
  // google.rpc.Status in the request's encoding, as the OTLP/HTTP spec asks for error bodies.
  errorReply: (e, type) =>
    type === PROTOBUF
      ? {
          status: e.status,
          type: PROTOBUF,
          body: encodeRpcStatus(grpcCodeFor(e.status), e.message),
          headers: e.headers,
        }
      : {
          status: e.status,
          type: JSON_TYPE,
          body: JSON.stringify({ code: grpcCodeFor(e.status), message: e.message }),
          headers: e.headers,
        },
};

/** OTLP/gRPC: TraceService/Export, bytes in and out through our own protobuf decoder. */
const otlpGrpc: GrpcReceiver = {
  transport: "grpc",
  protocol: "otlp_grpc",
  name: "otlpGrpc",
  port: "OTLP_GRPC_PORT",
  method: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
  decode: decodeExportTraceRequest,
  reply: (batch) => encodeExportResponse(batch.rejected.length, rejectionMessage(batch)),
};

/** Zipkin v2: POST /api/v2/spans with a JSON array; 202 like Zipkin itself. */
const zipkin: HttpReceiver = {
  transport: "http",
  protocol: "zipkin",
  name: "zipkin",
  port: "ZIPKIN_PORT",
  paths: ["/api/v2/spans"],
  methods: ["POST"],
  accepts: [JSON_TYPE, ""],
  mediaHint: `Tracemap accepts Zipkin v2 JSON (${JSON_TYPE})`,
  probes: false,
  decode: (body) => decodeZipkinJson(json(body)),
  // Zipkin has no partial success; the valid spans are stored and the client learns what was dropped.
  reply: (batch) =>
    batch.rejected.length > 0
      ? { status: 400, type: TEXT, body: `${rejectionMessage(batch)}; ${batch.spans.length} valid span(s) stored` }
      : { status: 202, type: "", body: "" },
  errorReply: textError,
};

/** Datadog agent API: PUT/POST /v0.4/traces with msgpack, as dd-trace sends it; answered like the agent. */
const datadog: HttpReceiver = {
  transport: "http",
  protocol: "datadog",
  name: "datadog",
  port: "DATADOG_PORT",
  paths: ["/v0.4/traces", "/v0.3/traces"],
  methods: ["PUT", "POST"],
  accepts: ["application/msgpack", ""],
  mediaHint: "the Datadog receiver takes application/msgpack (v0.4)",
  probes: false,
  decode: (body) => decodeDatadogTraces(body),
  reply(batch, _type, log) {
    if (batch.rejected.length > 0) log?.(`datadog: ${rejectionMessage(batch)}`);
    return { status: 200, type: JSON_TYPE, body: JSON.stringify({ rate_by_service: {} }) };
  },
  errorReply: textError,
};

/** The X-Ray daemon's UDP protocol: one segment document per datagram. */
const xray: UdpReceiver = {
  transport: "udp",
  protocol: "xray",
  name: "xray",
  port: "XRAY_PORT",
  decode: decodeXRayDatagram,
};

export const RECEIVERS: readonly Receiver[] = [otlpHttp, otlpGrpc, zipkin, xray, datadog];
