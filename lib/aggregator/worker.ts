import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Sql } from "../db/pool";
import { dropSpanPartitionsBefore } from "../db/partitions";
import { applyRollupRetention, pruneResources, type RetentionPolicy } from "../db/retention";
import { thinRawSpans, type ValueRetention } from "../db/value-retention";
import { type Compaction, compactRawSpans, pruneSpanNames } from "../db/compaction";
import { adjustLeases, releaseLeases, resizeShards, shardProgress } from "../db/shards";
import { recordEpoch } from "../db/epochs";
import { levellingLimit } from "../domain/shard-leases";
import { processShards } from "./aggregate";

export interface AggregatorOptions {
  intervalMs: number;
  waitMs: number;
  /** Trace-id-hash shards the work is split into; all workers of one database must agree. */
  shards: number;
  /** A worker that stops renewing loses its shards after this long. */
  leaseMs: number;
  spanRetentionHours: number;
  /** Retention by value of raw spans past a short raw retention; null keeps them all. */
  valueRetention?: ValueRetention | null;
  /** Compaction of rolled-up raw spans into deflated chunks per trace; null leaves them raw. */
  compaction?: Compaction | null;
  rollups: RetentionPolicy;
  retentionIntervalMs: number;
  log: (m: string) => void;
}

/**
 * The background process: every interval it records an ingest epoch, takes its fair share of shard leases and
 * rolls up its shards' epochs whose wait window has closed; now and then it drops expired span partitions and
 * roll-up rows. Chained timeouts, so passes never overlap.
 */
export function startAggregator(sql: Sql, opts: AggregatorOptions): { id: string; stop(): Promise<void> } {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let lastRetention = 0;
  let held: number[] = [];
  let leasedAt = 0;

  const takeLeases = async () => {
    const next = await adjustLeases(sql, id, opts.leaseMs);
    if (next.join() !== held.join()) opts.log(`shards ${next.length ? next.join(",") : "none"} of ${opts.shards}`);
    held = next;
    leasedAt = Date.now();
  };

  const aggregate = async () => {
    await recordEpoch(sql, opts.intervalMs);
    const shards = await shardProgress(sql);
    const resized = shards.length !== opts.shards && (await resizeShards(sql, opts.shards)) === "resized";
    if (resized) opts.log(`resized from ${shards.length} to ${opts.shards} shards`);
    await takeLeases();
    // Fresh shards start level; otherwise shards wait for the furthest one while a resize is pending.
    const upTo = resized ? null : levellingLimit(shards, opts.shards);
    // A long catch-up renews the leases between epochs, so it does not lose its shards halfway.
    // Epochs are recorded between passes too: during a long pass new spans would otherwise wait for the next tick
    // to get an epoch, and their early pass with it.
    await processShards(
      sql,
      held,
      opts.waitMs,
      upTo,
      () => !stopped && Date.now() - leasedAt < opts.leaseMs / 3,
      () => recordEpoch(sql, opts.intervalMs),
    );
  };

  const tick = async () => {
    try {
      await aggregate();
    } catch (err) {
      opts.log(`aggregation pass failed (will retry): ${(err as Error).message}`);
    }
    if (Date.now() - lastRetention < opts.retentionIntervalMs) return;
    lastRetention = Date.now();
    try {
      const dropped = await dropSpanPartitionsBefore(sql, new Date(Date.now() - opts.spanRetentionHours * 3600_000));
      if (dropped.length) opts.log(`retention dropped ${dropped.join(", ")}`);
      await applyRollupRetention(sql, opts.rollups);
      await pruneResources(sql, opts.spanRetentionHours);
      await pruneSpanNames(sql, opts.spanRetentionHours);
    } catch (err) {
      opts.log(`retention pass failed (will retry): ${(err as Error).message}`);
    }
  };
  // Passes start an interval apart, or at once after a pass that took longer: sleeping a full interval after a long
  // pass let each epoch grow by that much more work, and under steady load the passes, epochs and lag kept growing.
  const loop = () => {
    const startedAt = Date.now();
    running = tick().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, Math.max(0, opts.intervalMs - (Date.now() - startedAt)));
    });
  };
  loop();

  // Retention by value and compaction have loops of their own: a DELETE of a minute of spans can take seconds at
  // high rates, and the aggregation (the map's freshness) must not wait for it. While behind, each goes on at once,
  // then every retention interval.
  const loops: { timer: NodeJS.Timeout | null; running: Promise<void> | null }[] = [];
  const background = (name: string, pass: () => Promise<{ behind: boolean; done: string | null }>) => {
    const state: (typeof loops)[number] = { timer: null, running: null };
    loops.push(state);
    const run = () => {
      let behind = false;
      state.running = pass()
        .then((r) => {
          behind = r.behind;
          if (r.done) opts.log(r.done);
        })
        .catch((err) => opts.log(`${name} failed (will retry): ${(err as Error).message}`))
        .finally(() => {
          state.running = null;
          if (!stopped) state.timer = setTimeout(run, behind ? 0 : opts.retentionIntervalMs);
        });
    };
    state.timer = setTimeout(run, opts.retentionIntervalMs);
  };
  const retention = opts.valueRetention;
  if (retention)
    background("retention by value", async () => {
      const t = await thinRawSpans(sql, retention, Date.now(), 10_000);
      return {
        behind: t.until.getTime() < Date.now() - retention.rawMinutes * 60_000 - 60_000,
        done: t.deleted
          ? `retention by value dropped ${t.deleted} spans (thinned up to ${t.until.toISOString()})`
          : null,
      };
    });
  const compaction = opts.compaction;
  if (compaction)
    background("compaction", async () => {
      const c = await compactRawSpans(sql, compaction, Date.now(), 10_000);
      return {
        behind: c.until.getTime() < Date.now() - compaction.afterMinutes * 60_000 - 60_000,
        done: c.spans ? `compacted ${c.spans} spans into ${c.chunks} chunks (up to ${c.until.toISOString()})` : null,
      };
    });
  return {
    id,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const l of loops) if (l.timer) clearTimeout(l.timer);
      await Promise.all(loops.map((l) => l.running));
      await running;
      await releaseLeases(sql, id).catch((err) => opts.log(`could not release leases: ${(err as Error).message}`));
    },
  };
}
