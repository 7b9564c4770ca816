// The benchmark's load generator: node:http with keep-alive. It shares the two cores with the collector and
// PostgreSQL, and fetch (undici) spent about three times the CPU per request body, which the benchmark would have
// charged to Tracemap.
import { Agent, request } from "node:http";

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Errors of a kept-alive socket that the server closed just as the request went out on it. */
const STALE_SOCKET = new Set(["ECONNRESET", "EPIPE"]);

/**
 * POSTs `body` and resolves with the status once the answer has been read. A request that failed on a reused
 * socket is sent once more (Node's documented keep-alive race: a server may close an idle socket just as a request
 * goes out on it). Spans are deduplicated, so a resend cannot count twice.
 */
export async function post(url: string, body: Buffer | string, contentType: string): Promise<number> {
  try {
    return await postOnce(url, body, contentType);
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err;
    return postOnce(url, body, contentType);
  }
}

class StaleSocketError extends Error {}

function postOnce(url: string, body: Buffer | string, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
        res.once("error", reject);
      },
    );
    req.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        req.reusedSocket && STALE_SOCKET.has(err.code ?? "") ? new StaleSocketError(err.message, { cause: err }) : err,
      );
    });
    req.end(body);
  });
}

/**
 * POSTs every body, `concurrency` requests in flight, each answer read before that worker sends its next; throws on
 * the first status other than 200/202. Resolves with the milliseconds it took.
 */
export async function postAll(
  url: string,
  bodies: (Buffer | string)[],
  contentType: string,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const status = await post(url, bodies[next++]!, contentType);
        if (status !== 200 && status !== 202) throw new Error(`${url}: status ${status}`);
      }
    }),
  );
  return performance.now() - t0;
}

export function closePosts(): void {
  agent.destroy();
}
