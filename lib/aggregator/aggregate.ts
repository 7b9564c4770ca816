import { observeEpoch, serviceNamespaces, serviceVersions, SpanIndex } from "../domain/pairing";
import { bumpVersions, pairingContext, spansOfEpoch, writeEdgeCounters, writeRollup, writeServiceCatalog, writeServiceVersions } from "../db/aggregation-store";
import { getEpoch, isClosed, recordEpoch, windowEnds, windowOf } from "../db/epochs";
import type { Sql } from "../db/pool";
import { advanceShard, lockShard, shardProgress } from "../db/shards";
import { levellingLimit } from "../domain/shard-leases";
import { HOUR_MS, MINUTE_MS, rollUp } from "./rollup";

/** One bucket for all time: per-edge totals for the counters. */
const ALL_TIME_MS = 2 ** 52;

export interface AggregateOptions {
  /** How long after a span's commit its partners may still arrive and pair. */
  waitMs: number;
  /** Minimum time between two epochs. */
  epochIntervalMs: number;
}

/** Records an epoch if due, then processes every shard up to the last epoch whose wait window has closed. */
export async function aggregateOnce(sql: Sql, opts: AggregateOptions): Promise<number> {
  await recordEpoch(sql, opts.epochIntervalMs);
  const shards = await shardProgress(sql);
  return processShards(sql, shards.map((s) => s.shard), opts.waitMs, levellingLimit(shards, shards.length));
}

/**
 * Processes the given shards epoch by epoch, round robin, until none can go further (or past `upTo`, while
 * shards level for a resize). Returns the number of (shard, epoch) steps done.
 */
export async function processShards(sql: Sql, shards: number[], waitMs: number, upTo: number | null, keepGoing = () => true): Promise<number> {
  let processed = 0;
  let active = [...shards];
  while (active.length > 0 && keepGoing()) {
    const next: number[] = [];
    for (const shard of active) {
      if (await processNextEpoch(sql, waitMs, shard, upTo)) {
        processed++;
        next.push(shard);
      }
    }
    active = next;
  }
  return processed;
}

/**
 * One epoch of one shard in one transaction: the shard's progress row is locked (so workers never process the
 * same shard and epoch twice, whoever holds the lease), the shard's spans of the epoch are paired against
 * everything committed within its window, the roll-up is added and progress advances, all committed together or
 * not at all. Roll-up rows are sums, so shards add into the same rows without coordinating.
 */
export async function processNextEpoch(sql: Sql, waitMs: number, shard = 0, upTo: number | null = null): Promise<boolean> {
  return sql.begin(async (tx) => {
    const progress = await lockShard(tx, shard);
    if (!progress) return false; // another worker is on it, or the shards were just resized
    const e = progress.processedEpoch + 1;
    if (upTo !== null && e > upTo) return false;
    const epoch = await getEpoch(tx, e);
    if (!epoch) return false;
    const window = await windowOf(tx, e, waitMs);
    if (!window.ready) return false;
    const end = (await getEpoch(tx, window.end))!;
    // Every transaction that wrote into the window must be over, or a late commit could be missed.
    if (!(await isClosed(tx, end.xidBound))) return false;

    const lower = e === 1 ? 0n : (await getEpoch(tx, e - 1))!.xidBound;
    const bounds = { epoch: e, lower, upper: epoch.xidBound, shard, count: progress.shardCount };
    const batch = await spansOfEpoch(tx, bounds);
    if (batch.length > 0) {
      const context = [...batch, ...(await pairingContext(tx, batch, bounds, end.xidBound))];
      const earlier = [...new Set(context.map((s) => s.epoch).filter((x) => x < e))];
      const ends = await windowEnds(tx, earlier, waitMs);
      const windowEnd = (x: number) => {
        if (x === e) return window.end;
        const found = ends.get(x);
        if (found === undefined) throw new Error(`no window for epoch ${x}`);
        return found;
      };
      const observations = observeEpoch(batch, new SpanIndex(context), windowEnd);
      // Minute and hour rows in the same transaction: both are exact, whatever happens.
      const minutely = rollUp(observations, MINUTE_MS);
      await writeRollup(tx, minutely, "minute");
      const hourly = rollUp(observations, HOUR_MS);
      await writeRollup(tx, hourly, "hour");
      await writeEdgeCounters(tx, rollUp(observations, ALL_TIME_MS));
      await writeServiceCatalog(tx, serviceNamespaces(batch));
      await writeServiceVersions(tx, serviceVersions(batch));
      await bumpVersions(tx, minutely, hourly);
    }
    await advanceShard(tx, shard, e);
    return true;
  });
}
