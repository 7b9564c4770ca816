import { eachEdgeCounter } from "../db/graph-reads";
import { pingDatabase, type Sql } from "../db/pool";
import {
  droppedEdgesMetricText,
  SeriesBuilder,
  serviceGraphMetrics,
  seriesWithin,
} from "../domain/service-graph-metrics";
import { graphSettings } from "../config-graph";
import { cardinalityLimits } from "../config-limits";
import { loadQuarantine, quarantineMetricText, quarantineReadyLine } from "./quarantine";

/**
 * The Prometheus scrape: Tempo's service-graph series and the quarantine counter. As Tempo's max_items, at most
 * MAX_GRAPH_EDGES edges get series, the first ones seen, so the exported set never changes under a flood; the
 * rest are counted in tracemap_service_graph_dropped_*. SERVICE_GRAPH_DIMENSIONS add labels, as in Tempo.
 */
export async function metricsText(sql: Sql): Promise<string> {
  const builder = new SeriesBuilder(graphSettings());
  const [, quarantine] = await Promise.all([eachEdgeCounter(sql, (r) => builder.add(r)), loadQuarantine(sql)]);
  const { kept, dropped } = seriesWithin(builder.series(), cardinalityLimits().maxEdges);
  return serviceGraphMetrics(kept) + droppedEdgesMetricText(dropped) + quarantineMetricText(quarantine);
}

/** Readiness text, or null when the database does not answer within two seconds. Quarantine is reported, not fatal. */
export async function readiness(sql: Sql): Promise<string | null> {
  if ((await pingDatabase(sql)) !== "ok") return null;
  const quarantined = await loadQuarantine(sql).then(quarantineReadyLine, () => "");
  return `ready\n${quarantined}`;
}
