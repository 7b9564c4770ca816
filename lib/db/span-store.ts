import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SpanRecord } from "../domain/span";
import { dayOf, ensureSpanPartitions } from "./partitions";
import type { Sql } from "./pool";
import { COPY_COLUMNS, copyLine } from "./span-copy";

const COLUMN_LIST = COPY_COLUMNS.join(", ");
const CHUNK_ROWS = 50;

/**
 * Stores spans with COPY: into a session-local staging table, then one INSERT that drops re-delivered
 * spans (ON CONFLICT DO NOTHING), all in one transaction. Returns how many rows were new.
 */
export class SpanStore {
  private readonly knownDays = new Set<number>();

  constructor(private readonly sql: Sql) {}

  async insert(spans: SpanRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    await this.ensurePartitions(spans);
    try {
      return await this.copyAndInsert(spans);
    } catch (err) {
      // Retention may have dropped a partition this process still remembers: forget and retry once.
      if (!isMissingPartition(err)) throw err;
      this.knownDays.clear();
      await this.ensurePartitions(spans);
      return this.copyAndInsert(spans);
    }
  }

  private async ensurePartitions(spans: SpanRecord[]): Promise<void> {
    const missing = new Set<number>();
    for (const s of spans) {
      const day = dayOf(Number(s.startNs / 1_000_000n));
      if (!this.knownDays.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    await ensureSpanPartitions(this.sql, missing);
    for (const d of missing) this.knownDays.add(d);
  }

  private async copyAndInsert(spans: SpanRecord[]): Promise<number> {
    return this.sql.begin(async (tx) => {
      await tx`
        CREATE TEMP TABLE IF NOT EXISTS spans_incoming (
          trace_id bytea, span_id bytea, parent_span_id bytea, trace_state text, service_name text, name text,
          kind smallint, start_ns bigint, duration_ns bigint, status_code smallint, status_message text,
          attributes jsonb, resource_attributes jsonb, scope_name text, scope_version text, events jsonb, links jsonb
        ) ON COMMIT DELETE ROWS`;
      const writable = await tx.unsafe(`COPY spans_incoming (${COLUMN_LIST}) FROM STDIN`).writable();
      await pipeline(Readable.from(copyChunks(spans)), writable);
      const result = await tx.unsafe(`
        INSERT INTO spans (${COLUMN_LIST}, start_time)
        SELECT ${COLUMN_LIST}, timestamptz 'epoch' + (start_ns / 1000) * interval '1 microsecond'
        FROM spans_incoming
        ON CONFLICT DO NOTHING`);
      return result.count;
    });
  }
}

function* copyChunks(spans: SpanRecord[]): Generator<string> {
  for (let i = 0; i < spans.length; i += CHUNK_ROWS) {
    let chunk = "";
    for (const s of spans.slice(i, i + CHUNK_ROWS)) chunk += copyLine(s);
    yield chunk;
  }
}

function isMissingPartition(err: unknown): boolean {
  return err instanceof Error && /no partition of relation/i.test(err.message);
}
