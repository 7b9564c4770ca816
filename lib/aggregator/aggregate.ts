import { observeEpoch, serviceNamespaces, serviceVersions, SpanIndex } from "../domain/pairing";
import { pairingContext, spansOfEpoch, writeEdgeCounters, writeRollup, writeServiceCatalog, writeServiceVersions } from "../db/aggregation-store";
import { getEpoch, isClosed, recordEpoch, windowEnds, windowOf } from "../db/epochs";
import type { Sql } from "../db/pool";
import { HOUR_MS, MINUTE_MS, rollUp } from "./rollup";

/** One bucket for all time: per-edge totals for the counters. */
const ALL_TIME_MS = 2 ** 52;

export interface AggregateOptions {
  /** How long after a span's commit its partners may still arrive and pair. */
  waitMs: number;
  /** Minimum time between two epochs. */
  epochIntervalMs: number;
}

/** Records an epoch if due, then processes every epoch whose wait window has closed. Returns epochs processed. */
export async function aggregateOnce(sql: Sql, opts: AggregateOptions): Promise<number> {
  await recordEpoch(sql, opts.epochIntervalMs);
  let processed = 0;
  while (await processNextEpoch(sql, opts.waitMs)) processed++;
  return processed;
}

/**
 * One epoch in one transaction: the progress row is locked (so several workers take turns), the epoch's spans
 * are paired against everything committed within its window, the roll-up is added and progress advances, all
 * committed together or not at all.
 */
export async function processNextEpoch(sql: Sql, waitMs: number): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [progress] = await tx<{ processed_epoch: bigint }[]>`
      SELECT processed_epoch FROM aggregator_progress WHERE id = 1 FOR UPDATE SKIP LOCKED`;
    if (!progress) return false; // another worker holds the lease
    const e = Number(progress.processed_epoch) + 1;
    const epoch = await getEpoch(tx, e);
    if (!epoch) return false;
    const window = await windowOf(tx, e, waitMs);
    if (!window.ready) return false;
    const end = (await getEpoch(tx, window.end))!;
    // Every transaction that wrote into the window must be over, or a late commit could be missed.
    if (!(await isClosed(tx, end.xidBound))) return false;

    const lower = e === 1 ? 0n : (await getEpoch(tx, e - 1))!.xidBound;
    const batch = await spansOfEpoch(tx, lower, epoch.xidBound);
    if (batch.length > 0) {
      const context = await pairingContext(tx, batch, end.xidBound);
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
      await writeRollup(tx, rollUp(observations, MINUTE_MS), "minute");
      await writeRollup(tx, rollUp(observations, HOUR_MS), "hour");
      await writeEdgeCounters(tx, rollUp(observations, ALL_TIME_MS));
      await writeServiceCatalog(tx, serviceNamespaces(batch));
      await writeServiceVersions(tx, serviceVersions(batch));
    }
    await tx`UPDATE aggregator_progress SET processed_epoch = ${e}, updated_at = now() WHERE id = 1`;
    return true;
  });
}
