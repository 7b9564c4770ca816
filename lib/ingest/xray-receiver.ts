import { createSocket, type Socket } from "node:dgram";
import type { IngestPipeline } from "./pipeline";
import { decodeXRayDatagram } from "./xray";

/**
 * The X-Ray daemon's UDP protocol: one segment document per datagram. UDP has no answer, so failures are only
 * counted (tracemap_refused_requests_total{protocol="xray"}) and logged; valid spans are written as usual.
 */
export function startXRayReceiver(pipeline: IngestPipeline, host: string, port: number, log: (m: string) => void): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (msg) => {
    pipeline.ingest("xray", () => decodeXRayDatagram(msg)).catch((err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      pipeline.metrics?.failed("xray", status);
      if (status >= 500 && status !== 503) log(`x-ray segment failed: ${String(err)}`);
    });
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve({ socket, port: socket.address().port }));
  });
}
