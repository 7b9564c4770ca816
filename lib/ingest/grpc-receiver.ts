import { Metadata, Server, ServerCredentials, status, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { toHttpError } from "../errors";
import { checkBearerToken } from "./body";
import { grpcCodeFor, type ReceiverOptions } from "./http-receivers";
import { rejectionMessage } from "./normalize";
import { decodeExportTraceRequest, encodeExportResponse } from "./otlp-proto";

// Bytes in, bytes out: our own decoder does the protobuf work, so no .proto loading or codegen.
const identity = (b: Buffer) => b;
const traceService: ServiceDefinition = {
  Export: {
    path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export function createOtlpGrpcServer(opts: ReceiverOptions): Server {
  const server = new Server({
    "grpc.max_receive_message_length": opts.maxBodyBytes,
  });
  server.addService(traceService, {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      let release: (() => void) | undefined;
      const run = async () => {
        const auth = call.metadata.get("authorization")[0];
        checkBearerToken(typeof auth === "string" ? auth : undefined, opts.ingestToken);
        opts.pipeline.admit();
        release = opts.budget?.reserve(call.request.length);
        const batch = await opts.pipeline.ingest("otlp_grpc", () => decodeExportTraceRequest(call.request));
        callback(null, encodeExportResponse(batch.rejected.length, rejectionMessage(batch)));
      };
      run().catch((err: unknown) => {
        const e = toHttpError(err);
        if (e.status >= 500 && e.status !== 503) opts.log?.(`grpc ingest error: ${String((err as Error)?.stack ?? err)}`);
        opts.pipeline.metrics?.failed("otlp_grpc", e.status);
        const metadata = new Metadata();
        if (e.headers["retry-after"]) metadata.set("retry-after", e.headers["retry-after"]);
        callback({ code: grpcCodeFor(e.status) as status, details: e.message, metadata });
      }).finally(() => release?.());
    },
  });
  return server;
}

export function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    ),
  );
}
