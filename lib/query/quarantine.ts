import { quarantineSummary, type QuarantineSummary } from "../db/quarantine";
import type { Queryable } from "../db/pool";

export const QUARANTINE_METRIC = "tracemap_aggregator_quarantined_spans_total";

/** Prometheus text for the count of spans the aggregator has set aside (rows are kept, so it only grows). */
export function quarantineMetricText(summary: QuarantineSummary): string {
  return [
    `# HELP ${QUARANTINE_METRIC} Stored spans the aggregator could not process and set aside (see /readyz and the aggregator log).`,
    `# TYPE ${QUARANTINE_METRIC} counter`,
    `${QUARANTINE_METRIC} ${summary.total}`,
    "",
  ].join("\n");
}

/**
 * The /readyz line about quarantined spans, or "" when there are none. It names the newest so an operator can open
 * its trace; the map keeps working, so it does not make the service unready.
 */
export function quarantineReadyLine(summary: QuarantineSummary): string {
  const n = summary.newest;
  if (!n) return "";
  return (
    `degraded: ${summary.total} span(s) quarantined by the aggregator; newest at ${n.at.toISOString()}: ` +
    `span ${n.spanId} of trace ${n.traceId} (service ${JSON.stringify(n.service)}): ${n.reason}\n`
  );
}

export const loadQuarantine = (sql: Queryable): Promise<QuarantineSummary> => quarantineSummary(sql);
