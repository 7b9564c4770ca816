import { recentRootSpans, servicesSince, type ServiceSeen, type TraceSummary } from "../db/overview-reads";
import type { Queryable } from "../db/pool";
import { findTraceSpans } from "../db/span-reads";
import { waterfallRows, type TraceRow } from "../domain/trace-tree";

export type { TraceRow };

export interface Overview {
  services: ServiceSeen[];
  traces: TraceSummary[];
}

/** Services seen in the last day and the latest traces of the last hour. */
export async function loadOverview(now = new Date()): Promise<Overview> {
  const [services, traces] = await Promise.all([
    servicesSince(new Date(now.getTime() - 24 * 3600_000)),
    recentRootSpans(new Date(now.getTime() - 3600_000), 50),
  ]);
  return { services, traces };
}

export const isTraceId = (s: string) => /^[0-9a-f]{32}$/.test(s);

/** The spans of a trace in waterfall order; empty when the id is malformed or unknown. */
export async function loadTrace(sql: Queryable, traceIdHex: string): Promise<TraceRow[]> {
  if (!isTraceId(traceIdHex)) return [];
  return waterfallRows(await findTraceSpans(sql, traceIdHex));
}
