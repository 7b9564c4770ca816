import { startAggregator } from "../aggregator/worker";
import { boot, log, onShutdown, runMain } from "./bootstrap";

runMain("aggregator", async () => {
  const { config, database, sql } = await boot("aggregator", () => 4);
  const worker = startAggregator(sql, {
    intervalMs: config.AGGREGATOR_INTERVAL_MS,
    waitMs: config.AGGREGATOR_WAIT_MS,
    shards: config.AGGREGATOR_SHARDS,
    leaseMs: config.AGGREGATOR_LEASE_MS,
    retentionIntervalMs: config.RETENTION_INTERVAL_MS,
    // Epochs must outlive the longest pairing window by a margin.
    rollups: {
      minuteRowsDays: config.MINUTE_ROLLUP_RETENTION_DAYS,
      hourRowsDays: config.HOUR_ROLLUP_RETENTION_DAYS,
      epochsHours: 24,
    },
    spanRetentionHours: config.SPAN_RETENTION_HOURS,
    valueRetention:
      config.RAW_SPAN_RETENTION_MINUTES > 0
        ? {
            rawMinutes: config.RAW_SPAN_RETENTION_MINUTES,
            samplePercent: config.KEEP_SAMPLE_PERCENT,
            spanRetentionHours: config.SPAN_RETENTION_HOURS,
          }
        : null,
    compaction:
      config.SPAN_COMPACT_AFTER_MINUTES > 0
        ? { afterMinutes: config.SPAN_COMPACT_AFTER_MINUTES, spanRetentionHours: config.SPAN_RETENTION_HOURS }
        : null,
    log: log("aggregator"),
  });
  log("aggregator")("running");
  onShutdown("aggregator", async () => {
    await worker.stop();
    await sql.end({ timeout: 5 });
    await database.stop();
  });
});
