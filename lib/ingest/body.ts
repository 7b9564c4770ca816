import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { AppError, unavailable } from "../errors";

const gunzipAsync = promisify(gunzip);

/**
 * Bytes of request bodies held by this process at once, across all requests. Past the budget new bytes get 503
 * with Retry-After instead of more memory: under a flood the collector slows senders down rather than dying.
 */
export class InflightBudget {
  private used = 0;

  constructor(
    readonly maxBytes: number,
    private readonly retryAfterSeconds: number,
  ) {}

  get bytes(): number {
    return this.used;
  }

  /** Reserves `n` bytes until `done` is called (idempotent); throws 503 when the budget is spent. */
  reserve(n: number): () => void {
    if (this.used + n > this.maxBytes)
      throw unavailable(
        "collector is busy (request bytes in flight at the limit), retry later",
        this.retryAfterSeconds,
      );
    this.used += n;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= n;
    };
  }
}

/** How long a body may take: in all, and between two chunks. A sender that stalls gets 408 and its bytes back. */
export interface BodyDeadlines {
  totalMs: number;
  idleMs: number;
}

export const defaultBodyDeadlines: BodyDeadlines = { totalMs: 60_000, idleMs: 10_000 };

/**
 * Reads a request body, enforcing the size limit both on the wire and after gzip decompression, and the read
 * deadlines. With a budget, the bytes actually received (raw and inflated) stay reserved until the response closes.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  budget?: { budget: InflightBudget; until: { once(event: "close", f: () => void): unknown } },
  deadlines: BodyDeadlines = defaultBodyDeadlines,
): Promise<Buffer> {
  const reserve = (n: number) => {
    if (!budget) return;
    budget.until.once("close", budget.budget.reserve(n));
  };
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new AppError(415, `unsupported content-encoding "${encoding}"; use gzip or none`);
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const raw = await receive(req, maxBytes, reserve, deadlines);
  if (encoding === "identity") return raw;
  let inflated: Buffer;
  try {
    // maxOutputLength stops a gzip bomb before it is inflated into memory.
    inflated = await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw tooLarge(maxBytes);
    throw new AppError(400, `body is not valid gzip: ${(err as Error).message}`);
  }
  reserve(inflated.length);
  return inflated;
}

/** The raw body bytes as they arrive, each chunk reserved when received; fails on size, stall, deadline or abort. */
function receive(
  req: IncomingMessage,
  maxBytes: number,
  reserve: (n: number) => void,
  deadlines: BodyDeadlines,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const stalled = (message: string) => () => finish(new AppError(408, message, { connection: "close" }));
    const total = setTimeout(stalled(`request body not received within ${deadlines.totalMs} ms`), deadlines.totalMs);
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(stalled(`request body stalled: no bytes for ${deadlines.idleMs} ms`), deadlines.idleMs);
    };
    const finish = (err: Error | null) => {
      clearTimeout(total);
      clearTimeout(idle);
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onClose);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(tooLarge(maxBytes));
      try {
        reserve(chunk.length);
      } catch (err) {
        return finish(err as Error);
      }
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => finish(null);
    const onAbort = () => finish(new AppError(400, "request body aborted by the client"));
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData).once("end", onEnd).once("error", onAbort).once("close", onClose);
    arm();
  });
}

const tooLarge = (maxBytes: number) =>
  new AppError(413, `request body larger than ${maxBytes} bytes (after decompression)`, { connection: "close" });

/** The media type without parameters, lower-cased. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

export function checkBearerToken(header: string | undefined, token: string | undefined): void {
  if (!token) return;
  if (header !== `Bearer ${token}`) throw new AppError(401, "missing or invalid bearer token");
}
