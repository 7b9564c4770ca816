import type { StoredSpan } from "../model/span";
import type { PrismaClient } from "../db/prisma";
import { isHexTraceId } from "../model/ids";
import { servicesSince, type ServiceSeen } from "../db/overview-reads";
import type { Queryable } from "../db/pool";
import { findTraceSpans } from "../db/span-reads";
import { searchTraces, type TraceHit } from "../db/trace-search";
import type { Window } from "../model/window";
import type { TraceSearch } from "../domain/trace-search";
import { waterfallRows, type TraceRow } from "../domain/trace-tree";

export type { ServiceSeen, StoredSpan, TraceHit, TraceRow };

/** Services that sent spans in the last day. */
export function loadServicesSeen(prisma: PrismaClient, now = new Date()): Promise<ServiceSeen[]> {
  return servicesSince(prisma, new Date(now.getTime() - 24 * 3600_000));
}

export const isTraceId = isHexTraceId;

/** A trace's stored spans in start order (raw spans, else the example copies); empty when unknown. */
export const loadTraceSpans = (sql: Queryable, traceIdHex: string): Promise<StoredSpan[]> =>
  findTraceSpans(sql, traceIdHex);

/** The spans of a trace in waterfall order; empty when the id is malformed or unknown. */
export async function loadTrace(sql: Queryable, traceIdHex: string): Promise<TraceRow[]> {
  if (!isTraceId(traceIdHex)) return [];
  return waterfallRows(await findTraceSpans(sql, traceIdHex));
}

/** Traces with a span that matches, newest first: one hit per trace (its longest matching span). */
export const findTraces = (sql: Queryable, q: TraceSearch, range: Window, limit: number): Promise<TraceHit[]> =>
  searchTraces(sql, q, range, limit);
