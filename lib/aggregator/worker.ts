import type { Sql } from "../db/pool";
import { dropSpanPartitionsBefore } from "../db/partitions";

export interface AggregatorOptions {
  intervalMs: number;
  spanRetentionHours: number;
  log: (m: string) => void;
}

/**
 * The background process. For now it only enforces raw-span retention (dropping whole day partitions);
 * edge roll-ups are the aggregator issue's work. Chained timeouts so runs never overlap.
 */
export function startAggregator(sql: Sql, opts: AggregatorOptions): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = async () => {
    try {
      const cutoff = new Date(Date.now() - opts.spanRetentionHours * 3600_000);
      const dropped = await dropSpanPartitionsBefore(sql, cutoff);
      if (dropped.length) opts.log(`retention dropped ${dropped.join(", ")}`);
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
