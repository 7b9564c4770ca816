import type { Sql } from "../db/pool";
import { dropSpanPartitionsBefore } from "../db/partitions";
import { applyRollupRetention, type RetentionPolicy } from "../db/retention";
import { aggregateOnce } from "./aggregate";

export interface AggregatorOptions {
  intervalMs: number;
  waitMs: number;
  spanRetentionHours: number;
  rollups: RetentionPolicy;
  retentionIntervalMs: number;
  log: (m: string) => void;
}

/**
 * The background process: every interval it records an ingest epoch and rolls up every epoch whose wait
 * window has closed; now and then it drops expired span partitions and roll-up rows. Chained timeouts, so passes never overlap.
 */
export function startAggregator(sql: Sql, opts: AggregatorOptions): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let lastRetention = 0;

  const tick = async () => {
    try {
      await aggregateOnce(sql, { waitMs: opts.waitMs, epochIntervalMs: opts.intervalMs });
    } catch (err) {
      opts.log(`aggregation pass failed (will retry): ${(err as Error).message}`);
    }
    if (Date.now() - lastRetention < opts.retentionIntervalMs) return;
    lastRetention = Date.now();
    try {
      const dropped = await dropSpanPartitionsBefore(sql, new Date(Date.now() - opts.spanRetentionHours * 3600_000));
      if (dropped.length) opts.log(`retention dropped ${dropped.join(", ")}`);
      await applyRollupRetention(sql, opts.rollups);
    } catch (err) {
      opts.log(`retention pass failed (will retry): ${(err as Error).message}`);
    }
  };
  const loop = () => {
    running = tick().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(loop, opts.intervalMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
