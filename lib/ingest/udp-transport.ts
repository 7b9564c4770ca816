import { createSocket, type Socket } from "node:dgram";
import { accept, refused, type ReceiverOptions } from "./receive";
import type { UdpReceiver } from "./receivers";

/**
 * A UDP receiver: one document per datagram. UDP has no answer and no credentials, so failures are only counted
 * (tracemap_refused_requests_total{protocol}) and logged; valid spans are written as usual.
 */
export function startUdpReceiver(
  r: UdpReceiver,
  opts: ReceiverOptions,
  host: string,
  port: number,
): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (msg) => {
    accept(r, opts, null, () => msg).catch((err: unknown) => refused(r, opts, err));
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve({ socket, port: socket.address().port }));
  });
}
