import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SpanRecord } from "../model/span";
import { dayOf, ensureSpanPartitions } from "./partitions";
import type { Queryable, Sql } from "./pool";
import { COPY_COLUMNS, copyChunks, resourceOf, type StoredResource } from "./span-copy";

const COLUMN_LIST = COPY_COLUMNS.join(", ");
// After a batch met a span already stored, retries are probably arriving (an exporter re-sending what timed
// out): go straight to the deduplicating path for a while instead of failing a direct COPY per batch.
const DEDUP_AFTER_CONFLICT_MS = 10_000;
/** A resource known stored is written again after this long, so its last_seen stays ahead of retention. */
const RESOURCE_REFRESH_MS = 3_600_000;
const MAX_KNOWN_RESOURCES = 100_000;

/**
 * Stores spans with COPY, one transaction per batch. The fast path copies straight into `spans`; its primary key
 * refuses a re-delivered span, failing the whole COPY (nothing of it is stored), and the batch is then written
 * through a session-local staging table and one INSERT ... ON CONFLICT DO NOTHING, which drops the duplicates.
 * The staging path costs PostgreSQL about 1.5x the direct one per span, and re-deliveries are rare.
 * Returns how many rows were new.
 */
export class SpanStore {
  private readonly knownDays = new Set<number>();
  /** Resources this process stored (hex id -> when), written again once RESOURCE_REFRESH_MS old. */
  private readonly knownResources = new Map<string, number>();
  private lastConflictAt = Number.NEGATIVE_INFINITY;
  /** Batches that met an already stored span and were written again through the staging table. */
  conflicts = 0;

  constructor(private readonly sql: Sql) {}

  async insert(spans: SpanRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    await this.ensurePartitions(spans);
    try {
      return await this.write(spans);
    } catch (err) {
      // Retention may have dropped a partition this process still remembers: forget and retry once.
      if (!isMissingPartition(err)) throw err;
      this.knownDays.clear();
      await this.ensurePartitions(spans);
      return this.write(spans);
    }
  }

  private async write(spans: SpanRecord[]): Promise<number> {
    if (performance.now() - this.lastConflictAt < DEDUP_AFTER_CONFLICT_MS) return this.copyDeduplicated(spans);
    try {
      return await this.copyDirect(spans);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.lastConflictAt = performance.now();
      this.conflicts++;
      return this.copyDeduplicated(spans);
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

  /**
   * Stores the batch's resources not known to be stored (in the spans' transaction: a span never references a
   * resource that is not there). Ids are md5 of the JSON text: the same set always gets the same row.
   */
  private async storeResources(tx: Queryable, spans: SpanRecord[]): Promise<[string, number][]> {
    const now = Date.now();
    const fresh = new Map<string, StoredResource>();
    let last: unknown = null;
    for (const s of spans) {
      if (s.resourceAttributes === last) continue; // spans of one resource come together
      last = s.resourceAttributes;
      const r = resourceOf(s.resourceAttributes);
      const hex = r.id.toString("hex");
      const at = this.knownResources.get(hex);
      if (at === undefined || now - at > RESOURCE_REFRESH_MS) fresh.set(hex, r);
    }
    if (fresh.size === 0) return [];
    const ids = [...fresh.keys()].sort(); // one lock order for concurrent writers
    await tx.unsafe(
      `INSERT INTO resources (id, attributes, last_seen)
       SELECT decode(i, 'hex'), a::json, now() FROM unnest($1::text[], $2::text[]) AS x(i, a)
       ON CONFLICT (id) DO UPDATE SET last_seen = now()`,
      [ids, ids.map((i) => fresh.get(i)!.json)],
    );
    if (this.knownResources.size + ids.length > MAX_KNOWN_RESOURCES) this.knownResources.clear();
    return ids.map((i) => [i, now]);
  }

  /** Called once the batch committed: a rolled-back batch must store its resources again. */
  private rememberResources(stored: [string, number][]): void {
    for (const [i, at] of stored) this.knownResources.set(i, at);
  }

  private async copyDirect(spans: SpanRecord[]): Promise<number> {
    let resources: [string, number][] = [];
    await this.sql.begin(async (tx) => {
      resources = await this.storeResources(tx, spans);
      const writable = await tx.unsafe(`COPY spans (${COLUMN_LIST}) FROM STDIN`).writable();
      await pipeline(Readable.from(copyChunks(spans)), writable);
    });
    this.rememberResources(resources);
    return spans.length;
  }

  private async copyDeduplicated(spans: SpanRecord[]): Promise<number> {
    let resources: [string, number][] = [];
    const stored = await this.sql.begin(async (tx) => {
      resources = await this.storeResources(tx, spans);
      await tx`
        CREATE TEMP TABLE IF NOT EXISTS spans_incoming (LIKE spans INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;
      const writable = await tx.unsafe(`COPY spans_incoming (${COLUMN_LIST}) FROM STDIN`).writable();
      await pipeline(Readable.from(copyChunks(spans)), writable);
      const result = await tx.unsafe(`
        INSERT INTO spans (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM spans_incoming ON CONFLICT DO NOTHING`);
      return result.count;
    });
    this.rememberResources(resources);
    return stored;
  }
}

function isMissingPartition(err: unknown): boolean {
  return err instanceof Error && /no partition of relation/i.test(err.message);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "23505";
}
