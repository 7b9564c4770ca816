import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { DecodedBatch } from "../domain/span";
import { AppError, toHttpError } from "../errors";
import { checkBearerToken, defaultBodyDeadlines, mediaType, readBody, type BodyDeadlines, type InflightBudget } from "./body";
import { rejectionMessage } from "./normalize";
import { decodeOtlpJson } from "./otlp-json";
import { decodeExportTraceRequest, encodeExportResponse, encodeRpcStatus } from "./otlp-proto";
import type { IngestPipeline } from "./pipeline";
import type { Protocol } from "./ingest-metrics";
import { decodeZipkinJson } from "./zipkin";
import { decodeDatadogTraces } from "./datadog";

export interface ReceiverOptions {
  pipeline: IngestPipeline;
  maxBodyBytes: number;
  ingestToken?: string;
  log?: (msg: string) => void;
  /** Shared by all receivers of the process: request bytes held at once. */
  budget?: InflightBudget;
  /** Read deadlines for request bodies (defaults: lib/ingest/body.ts). */
  bodyDeadlines?: BodyDeadlines;
  /** GET endpoints served beside the receiver (/metrics, /healthz, /readyz), without the ingest token. */
  probes?: Record<string, () => Promise<{ status: number; type: string; body: string }>>;
}

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function serve(protocol: Protocol, routes: Record<string, Handler>, opts: ReceiverOptions, onError: (res: ServerResponse, req: IncomingMessage, e: AppError) => void, methods = ["POST"]): Server {
  const deadlines = opts.bodyDeadlines ?? defaultBodyDeadlines;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const handler = routes[path];
    const probe = req.method === "GET" ? opts.probes?.[path] : undefined;
    const run = async () => {
      if (probe) {
        const r = await probe();
        return send(res, r.status, r.type, r.body, { "cache-control": "no-store" });
      }
      if (!handler) throw new AppError(404, `no route for ${path}`);
      if (!methods.includes(req.method ?? "")) throw new AppError(405, `use ${methods.join(" or ")} for ${path}`, { allow: methods.join(", ") });
      checkBearerToken(req.headers.authorization, opts.ingestToken);
      opts.pipeline.admit();
      await handler(req, res);
    };
    run().catch(async (err: unknown) => {
      const e = toHttpError(err);
      if (e.status >= 500 && e.status !== 503) opts.log?.(`ingest error: ${String((err as Error)?.stack ?? err)}`);
      if (!probe) opts.pipeline.metrics?.failed(protocol, e.status);
      if (res.headersSent) return res.destroy();
      // A refused request's body is read and discarded before answering (except when it is the problem: too large
      // or too slow): answering mid-upload makes clients see a reset connection instead of the 503 and its Retry-After.
      const bodyIsTheProblem = e.status === 413 || e.status === 408;
      const stalled = e.status === 408 || (!req.complete && !bodyIsTheProblem && !(await discardBody(req, opts.maxBodyBytes, deadlines.idleMs)));
      onError(res, req, e);
      // A stalled sender is not waited for: the connection closes once the answer is out, releasing its bytes.
      if (stalled) res.once("finish", () => req.socket.destroy());
      else if (!req.complete) req.resume();
    });
  });
  // Node's own limit for a whole request (300 s by default) is the backstop behind the body deadlines.
  server.requestTimeout = deadlines.totalMs + 5_000;
  return server;
}

/** Reads and drops the rest of a body; false when the sender stalled for `idleMs` before the end. */
function discardBody(req: IncomingMessage, maxBytes: number, idleMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    let timer = setTimeout(() => done(false), idleMs);
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) return done(true);
      clearTimeout(timer);
      timer = setTimeout(() => done(false), idleMs);
    };
    req.on("data", onData);
    req.once("end", () => done(true));
    req.once("close", () => done(true));
    req.resume();
  });
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
}

/** OTLP/HTTP: POST /v1/traces, protobuf or JSON, answered in the request's own encoding. */
export function createOtlpHttpServer(opts: ReceiverOptions): Server {
  const exportTraces: Handler = async (req, res) => {
    const type = mediaType(req);
    if (type !== PROTOBUF && type !== JSON_TYPE) {
      throw new AppError(415, `unsupported content-type "${type}"; use ${PROTOBUF} or ${JSON_TYPE}`);
    }
    const body = await readBody(req, opts.maxBodyBytes, opts.budget && { budget: opts.budget, until: res }, opts.bodyDeadlines);
    const batch = await opts.pipeline.ingest("otlp_http", () =>
      type === PROTOBUF ? decodeExportTraceRequest(body) : decodeOtlpJson(JSON.parse(body.toString("utf8"))),
    );
    const message = rejectionMessage(batch);
    if (type === PROTOBUF) send(res, 200, PROTOBUF, encodeExportResponse(batch.rejected.length, message));
    else send(res, 200, JSON_TYPE, JSON.stringify(otlpJsonResponse(batch, message)));
  };
  return serve("otlp_http", { "/v1/traces": exportTraces }, opts, (res, req, e) => {
    const headers = { ...e.headers };
    // google.rpc.Status in the request's encoding, as the OTLP/HTTP spec asks for error bodies.
    if (mediaType(req) === PROTOBUF) send(res, e.status, PROTOBUF, encodeRpcStatus(grpcCodeFor(e.status), e.message), headers);
    else send(res, e.status, JSON_TYPE, JSON.stringify({ code: grpcCodeFor(e.status), message: e.message }), headers);
  });
}

function otlpJsonResponse(batch: DecodedBatch, message: string): object {
  if (batch.rejected.length === 0) return {};
  return { partialSuccess: { rejectedSpans: String(batch.rejected.length), errorMessage: message } };
}

/** Zipkin v2: POST /api/v2/spans with a JSON array; 202 like Zipkin itself. */
export function createZipkinServer(opts: ReceiverOptions): Server {
  const postSpans: Handler = async (req, res) => {
    const type = mediaType(req);
    if (type !== JSON_TYPE && type !== "") {
      throw new AppError(415, `unsupported content-type "${type}"; Tracemap accepts Zipkin v2 JSON (${JSON_TYPE})`);
    }
    const body = await readBody(req, opts.maxBodyBytes, opts.budget && { budget: opts.budget, until: res }, opts.bodyDeadlines);
    const batch = await opts.pipeline.ingest("zipkin", () => decodeZipkinJson(JSON.parse(body.toString("utf8"))));
    if (batch.rejected.length > 0) {
      // Zipkin has no partial success; the valid spans are stored and the client learns what was dropped.
      send(res, 400, "text/plain; charset=utf-8", `${rejectionMessage(batch)}; ${batch.spans.length} valid span(s) stored`);
    } else {
      res.writeHead(202).end();
    }
  };
  return serve("zipkin", { "/api/v2/spans": postSpans }, { ...opts, probes: undefined }, (res, _req, e) =>
    send(res, e.status, "text/plain; charset=utf-8", e.message, e.headers),
  );
}

/** The gRPC status code matching an HTTP status, for google.rpc.Status bodies. */
export function grpcCodeFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400: case 413: case 415: return 3; // INVALID_ARGUMENT
    case 401: return 16; // UNAUTHENTICATED
    case 404: case 405: return 12; // UNIMPLEMENTED
    case 429: return 8; // RESOURCE_EXHAUSTED
    case 503: return 14; // UNAVAILABLE
    default: return 13; // INTERNAL
  }
}

/** Datadog agent API: PUT/POST /v0.4/traces with msgpack, as dd-trace sends it; answered like the agent. */
export function createDatadogServer(opts: ReceiverOptions): Server {
  const putTraces: Handler = async (req, res) => {
    const type = mediaType(req);
    if (type !== "application/msgpack" && type !== "") throw new AppError(415, `unsupported content-type "${type}"; the Datadog receiver takes application/msgpack (v0.4)`);
    const body = await readBody(req, opts.maxBodyBytes, opts.budget && { budget: opts.budget, until: res }, opts.bodyDeadlines);
    const batch = await opts.pipeline.ingest("datadog", () => decodeDatadogTraces(body));
    if (batch.rejected.length > 0) opts.log?.(`datadog: ${rejectionMessage(batch)}`);
    send(res, 200, JSON_TYPE, JSON.stringify({ rate_by_service: {} }));
  };
  return serve("datadog", { "/v0.4/traces": putTraces, "/v0.3/traces": putTraces }, { ...opts, probes: undefined },
    (res, _req, e) => send(res, e.status, "text/plain; charset=utf-8", e.message, e.headers), ["PUT", "POST"]);
}
