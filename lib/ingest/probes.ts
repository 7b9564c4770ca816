import { aggregatorLag } from "../db/epochs";
import { pingDatabase, type Sql } from "../db/pool";
import { quarantineSummary } from "../db/quarantine";
import { quarantineReadyLine } from "../query/quarantine";
import type { InflightBudget } from "./body";
import type { IngestMetrics } from "./ingest-metrics";
import type { WriteQueue } from "./write-queue";

const PROM = "text/plain; version=0.0.4; charset=utf-8";
const TEXT = "text/plain; charset=utf-8";

/** Gauges read at scrape time: queue depth, bytes in flight, memory, and the aggregator's lag from the database. */
export function registerCollectorGauges(
  metrics: IngestMetrics,
  sql: Sql,
  queue: WriteQueue,
  budget: InflightBudget,
): void {
  const r = metrics.registry;
  r.gauge("tracemap_write_queue_spans", "Spans accepted for writing and not yet committed.", () => [
    { value: queue.depth },
  ]);
  r.gauge("tracemap_inflight_request_bytes", "Request body bytes held by the collector right now.", () => [
    { value: budget.bytes },
  ]);
  r.gauge("tracemap_collector_resident_bytes", "Resident memory of the collector process.", () => [
    { value: process.memoryUsage.rss() },
  ]);
  r.gauge(
    "tracemap_aggregator_lag_seconds",
    "Seconds since the newest fully aggregated ingest epoch was recorded (includes the pairing wait).",
    async () => {
      const lag = await aggregatorLag(sql);
      return lag ? [{ value: lag.lagSeconds }] : [];
    },
  );
  r.gauge(
    "tracemap_aggregator_quarantined_spans_total",
    "Stored spans the aggregator could not process and set aside (see /readyz).",
    async () => [{ value: (await quarantineSummary(sql)).total }],
    "counter",
  );
  r.gauge("tracemap_aggregator_pending_epochs", "Ingest epochs recorded but not aggregated yet.", async () => {
    const lag = await aggregatorLag(sql);
    return lag ? [{ value: lag.pendingEpochs }] : [];
  });
}

/**
 * GET /metrics, /healthz (every receiver listens) and /readyz (the database answers and the queue has room).
 * /healthz waits for all receivers because the first one answers before a later one may fail to bind its port:
 * "healthy" then would be a collector about to exit.
 */
export function collectorProbes(
  metrics: IngestMetrics,
  sql: Sql,
  queue: WriteQueue,
  maxQueued: number,
  startup: { listening: boolean },
) {
  return {
    "/metrics": async () => ({ status: 200, type: PROM, body: await metrics.registry.render() }),
    "/healthz": async () =>
      startup.listening
        ? { status: 200, type: TEXT, body: "ok\n" }
        : { status: 503, type: TEXT, body: "starting: not every receiver listens yet\n" },
    "/readyz": async () => {
      if (queue.depth >= maxQueued) return { status: 503, type: TEXT, body: "write queue full\n" };
      if ((await pingDatabase(sql)) === "ok") {
        const quarantined = await quarantineSummary(sql).then(quarantineReadyLine, () => "");
        return { status: 200, type: TEXT, body: `ready\n${quarantined}` };
      }
      return { status: 503, type: TEXT, body: "database unavailable\n" };
    },
  };
}
