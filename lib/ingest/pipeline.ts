import type { DecodedBatch } from "../domain/span";
import { badRequest } from "../errors";
import { normalize, type IngestLimits, type RawResourceGroup } from "./normalize";
import { DecodeError } from "./protobuf-reader";
import type { WriteQueue } from "./write-queue";

/** Decode -> validate -> write; shared by every receiver so they all behave the same. */
export class IngestPipeline {
  constructor(
    private readonly queue: WriteQueue,
    private readonly limits: IngestLimits,
  ) {}

  /** Resolves after the accepted spans are committed; throws AppError (400 bad body, 503 no database). */
  async ingest(decode: () => RawResourceGroup[]): Promise<DecodedBatch> {
    let groups: RawResourceGroup[];
    try {
      groups = decode();
    } catch (err) {
      if (err instanceof DecodeError || err instanceof SyntaxError || err instanceof RangeError) {
        throw badRequest(`cannot decode request: ${err.message}`);
      }
      throw err;
    }
    const batch = normalize(groups, this.limits);
    await this.queue.write(batch.spans);
    return batch;
  }
}
