import type { DecodedBatch } from "../model/span";
import { AppError, badRequest } from "../errors";
import type { IngestMetrics, Protocol } from "./ingest-metrics";
import type { TraceSpanCounter } from "./limits";
import { normalize, type IngestLimits, type RawResourceGroup } from "./normalize";
import { DecodeError } from "./protobuf-reader";
import type { WriteQueue } from "./write-queue";

/** Decode -> validate -> write; shared by every receiver so they all behave the same. */
export interface PipelineOptions {
  metrics?: IngestMetrics;
  traces?: TraceSpanCounter;
  maxSpansPerRequest?: number;
}

export class IngestPipeline {
  constructor(
    private readonly queue: WriteQueue,
    private readonly limits: IngestLimits,
    private readonly opts: PipelineOptions = {},
  ) {}

  /** Throws 503 when the write queue has no room: call before reading a request body. */
  admit(): void {
    this.queue.admit();
  }

  get metrics(): IngestMetrics | undefined {
    return this.opts.metrics;
  }

  /** Resolves after the accepted spans are committed; throws AppError (400 bad body, 413 too many spans, 503 no database). */
  async ingest(protocol: Protocol, decode: () => RawResourceGroup[]): Promise<DecodedBatch> {
    let groups: RawResourceGroup[];
    try {
      groups = decode();
    } catch (err) {
      if (err instanceof DecodeError || err instanceof SyntaxError || err instanceof RangeError) {
        throw badRequest(`cannot decode request: ${err.message}`);
      }
      throw err;
    }
    const max = this.opts.maxSpansPerRequest;
    if (max !== undefined) {
      const count = groups.reduce((n, g) => n + g.scopes.reduce((m, s) => m + s.spans.length, 0), 0);
      if (count > max)
        throw new AppError(413, `request holds ${count} spans; at most ${max} per request (split the batch)`);
    }
    const batch = normalize(groups, this.limits, undefined, this.opts.traces);
    await this.queue.write(batch.spans);
    this.opts.metrics?.batch(protocol, batch);
    // Only what was committed counts against a trace's cap.
    for (const [id, n] of batch.perTrace ?? []) this.opts.traces?.add(id, n);
    return batch;
  }
}
