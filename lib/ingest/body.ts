import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { AppError } from "../errors";

const gunzipAsync = promisify(gunzip);

/** Reads a request body, enforcing the size limit both on the wire and after gzip decompression. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new AppError(415, `unsupported content-encoding "${encoding}"; use gzip or none`);
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks, size);
  if (encoding === "identity") return raw;
  try {
    // maxOutputLength stops a gzip bomb before it is inflated into memory.
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes);
    throw new AppError(400, `body is not valid gzip: ${(err as Error).message}`);
  }
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
