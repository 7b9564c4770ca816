import { edgeCounters } from "../db/graph-reads";
import { pingDatabase, type Sql } from "../db/pool";
import { serviceGraphMetrics } from "../domain/service-graph-metrics";
import { loadQuarantine, quarantineMetricText, quarantineReadyLine } from "./quarantine";

/** The Prometheus scrape: Tempo's service-graph series and the quarantine counter. */
export async function metricsText(sql: Sql): Promise<string> {
  const [counters, quarantine] = await Promise.all([edgeCounters(sql), loadQuarantine(sql)]);
  return serviceGraphMetrics(counters) + quarantineMetricText(quarantine);
}

/** Readiness text, or null when the database does not answer within two seconds. Quarantine is reported, not fatal. */
export async function readiness(sql: Sql): Promise<string | null> {
  if ((await pingDatabase(sql)) !== "ok") return null;
  const quarantined = await loadQuarantine(sql).then(quarantineReadyLine, () => "");
  return `ready\n${quarantined}`;
}
