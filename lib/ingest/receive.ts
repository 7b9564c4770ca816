import type { DecodedBatch } from "../model/span";
import { toHttpError, type AppError } from "../errors";
import { checkBearerToken, type BodyDeadlines, type InflightBudget } from "./body";
import type { IngestPipeline } from "./pipeline";
import type { Receiver } from "./receivers";

export interface ReceiverOptions {
  pipeline: IngestPipeline;
  maxBodyBytes: number;
  ingestToken?: string;
  log?: (msg: string) => void;
  /** Shared by all receivers of the process: request bytes held at once. */
  budget?: InflightBudget;
  /** Read deadlines for request bodies (defaults: lib/ingest/body.ts). */
  bodyDeadlines?: BodyDeadlines;
  /** GET endpoints served beside a receiver that takes probes (/metrics, /healthz, /readyz), without the token. */
  probes?: Record<string, () => Promise<{ status: number; type: string; body: string }>>;
}

/**
 * What every receiver does with a request, whatever its transport: the ingest token (when the transport carries
 * one), admission (refused early with 503 when the write queue is full), then decode and write through the pipeline.
 */
export async function accept(
  r: Receiver,
  opts: ReceiverOptions,
  authorization: string | undefined | null,
  body: () => Promise<Buffer> | Buffer,
  mediaType = "",
): Promise<DecodedBatch> {
  if (authorization !== null) checkBearerToken(authorization, opts.ingestToken);
  opts.pipeline.admit();
  const bytes = await body();
  return opts.pipeline.ingest(r.protocol, () =>
    r.transport === "http" ? r.decode(bytes, mediaType) : r.decode(bytes),
  );
}

/** A refused request, the same way for all: its HTTP status, counted by protocol, and logged when it is our fault. */
export function refused(r: Receiver, opts: ReceiverOptions, err: unknown): AppError {
  const e = toHttpError(err);
  if (e.status >= 500 && e.status !== 503)
    opts.log?.(`${r.protocol} ingest error: ${String((err as Error)?.stack ?? err)}`);
  opts.pipeline.metrics?.failed(r.protocol, e.status);
  return e;
}
