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
import { spanTierProgress } from "../db/compaction";

/**
 * The Prometheus scrape: Tempo's service-graph series and the quarantine counter. As Tempo's max_items, at most
 * MAX_GRAPH_EDGES edges get series, the first ones seen, so the exported set never changes under a flood; the
 * rest are counted in tracemap_service_graph_dropped_*. SERVICE_GRAPH_DIMENSIONS add labels, as in Tempo.
 */
export async function metricsText(sql: Sql): Promise<string> {
  const builder = new SeriesBuilder(graphSettings());
  const [, quarantine, tiers] = await Promise.all([
    eachEdgeCounter(sql, (r) => builder.add(r)),
    loadQuarantine(sql),
    spanTierProgress(sql),
  ]);
  const { kept, dropped } = seriesWithin(builder.series(), cardinalityLimits().maxEdges);
  return (
    serviceGraphMetrics(kept) +
    droppedEdgesMetricText(dropped) +
    quarantineMetricText(quarantine) +
    progressMetricText(tiers)
  );
}

/**
 * How far compaction and retention by value have come, as Unix times: an operator alerts when time() minus one
 * falls far behind its delay (SPAN_COMPACT_AFTER_MINUTES, RAW_SPAN_RETENTION_MINUTES). Absent until it first runs.
 */
function progressMetricText(t: { compacted: Date | null; thinned: Date | null }): string {
  const gauge = (name: string, help: string, at: Date | null) =>
    at ? [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${at.getTime() / 1000}`, ""] : [];
  return [
    ...gauge(
      "tracemap_span_compaction_progress_timestamp_seconds",
      "Raw spans that start before this time are compacted into trace chunks (late arrivals aside).",
      t.compacted,
    ),
    ...gauge(
      "tracemap_span_thinning_progress_timestamp_seconds",
      "Spans that start before this time are thinned by retention by value.",
      t.thinned,
    ),
  ].join("\n");
}

/** Readiness text, or null when the database does not answer within two seconds. Quarantine is reported, not fatal. */
export async function readiness(sql: Sql): Promise<string | null> {
  if ((await pingDatabase(sql)) !== "ok") return null;
  const quarantined = await loadQuarantine(sql).then(quarantineReadyLine, () => "");
  return `ready\n${quarantined}`;
}
