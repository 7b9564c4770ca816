// The benchmark's load generator: node:http with keep-alive. It shares the two cores with the collector and
// PostgreSQL, and fetch (undici) spent about three times the CPU per request body, which the benchmark would have
// charged to Tracemap.
import { Agent, request } from "node:http";

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs `body` and resolves with the status once the answer has been read. */
export function post(url: string, body: Buffer | string, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

export function closePosts(): void {
  agent.destroy();
}
