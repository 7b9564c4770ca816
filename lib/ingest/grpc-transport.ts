import {
  Metadata,
  Server,
  ServerCredentials,
  type status,
  type ServiceDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
} from "@grpc/grpc-js";
import { accept, refused, type ReceiverOptions } from "./receive";
import { grpcCodeFor, type GrpcReceiver } from "./receivers";

// Bytes in, bytes out: our own decoder does the protobuf work, so no .proto loading or codegen.
const identity = (b: Buffer) => b;

export function createGrpcReceiverServer(r: GrpcReceiver, opts: ReceiverOptions): Server {
  const server = new Server({ "grpc.max_receive_message_length": opts.maxBodyBytes });
  const service: ServiceDefinition = {
    Call: {
      path: r.method,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  server.addService(service, {
    Call: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      let release: (() => void) | undefined;
      const auth = call.metadata.get("authorization")[0];
      accept(r, opts, typeof auth === "string" ? auth : undefined, () => {
        release = opts.budget?.reserve(call.request.length);
        return call.request;
      })
        .then((batch) => callback(null, r.reply(batch)))
        .catch((err: unknown) => {
          const e = refused(r, opts, err);
          const metadata = new Metadata();
          if (e.headers["retry-after"]) metadata.set("retry-after", e.headers["retry-after"]);
          callback({ code: grpcCodeFor(e.status) as status, details: e.message, metadata });
        })
        .finally(() => release?.());
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
