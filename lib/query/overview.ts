import { servicesSince, type ServiceSeen } from "../db/overview-reads";
import type { Queryable } from "../db/pool";
import { findTraceSpans } from "../db/span-reads";
import { waterfallRows, type TraceRow } from "../domain/trace-tree";

export type { TraceRow };

/** Services that sent spans in the last day. */
export function loadServicesSeen(now = new Date()): Promise<ServiceSeen[]> {
  return servicesSince(new Date(now.getTime() - 24 * 3600_000));
}

export const isTraceId = (s: string) => /^[0-9a-f]{32}$/.test(s);

/** The spans of a trace in waterfall order; empty when the id is malformed or unknown. */
export async function loadTrace(sql: Queryable, traceIdHex: string): Promise<TraceRow[]> {
  if (!isTraceId(traceIdHex)) return [];
  return waterfallRows(await findTraceSpans(sql, traceIdHex));
}
