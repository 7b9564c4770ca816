import type { StoredSpan } from "../model/span";
import type { PrismaClient } from "../db/prisma";
import { isHexTraceId } from "../model/ids";
import { servicesSince, type ServiceSeen } from "../db/overview-reads";
import type { Queryable } from "../db/pool";
import { findTraceSpans } from "../db/span-reads";
import { searchTraces, type TraceHit } from "../db/trace-search";
import type { Window } from "../model/window";
import { PAGE_SIZE, type TraceSearch } from "../domain/trace-search";
import { summarizeTrace } from "../domain/jaeger-v3";
import { summarySpans } from "../db/jaeger-reads";
import { pinnedTraces, pinOf, pinTrace, unpinTrace, type PinnedTraceRow } from "../db/pinned";
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

/** A search hit with its trace's summary (root, duration, span and error counts, services). */
export interface TraceResult {
  hit: TraceHit;
  summary: ReturnType<typeof summarizeTrace>;
  pin?: PinnedTraceRow;
}

/** One page of a search, each hit with its trace's summary; `more` when a next page exists. */
export async function searchTracePage(
  sql: Queryable,
  q: TraceSearch,
  range: Window,
): Promise<{ results: TraceResult[]; more: boolean }> {
  const hits = await searchTraces(sql, q, range, PAGE_SIZE + 1, (q.page - 1) * PAGE_SIZE);
  const page = hits.slice(0, PAGE_SIZE);
  const byTrace = groupByTrace(
    await summarySpans(
      sql,
      page.map((h) => h.traceId),
    ),
  );
  const results = page
    .filter((h) => byTrace.has(h.traceId))
    .map((hit) => ({ hit, summary: summarizeTrace(byTrace.get(hit.traceId)!) }));
  return { results, more: hits.length > PAGE_SIZE };
}

export function groupByTrace<T extends { traceId: string }>(spans: T[]): Map<string, T[]> {
  const byTrace = new Map<string, T[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  return byTrace;
}

/** Pinned traces, newest pin first, with their summaries (read from the kept copies). */
export async function loadPinnedTraces(
  sql: Queryable,
  prisma: PrismaClient,
): Promise<{ results: TraceResult[]; more: boolean }> {
  const pins = await pinnedTraces(prisma);
  const byTrace = groupByTrace(
    await summarySpans(
      sql,
      pins.map((p) => p.traceId),
    ),
  );
  const results = pins
    .filter((p) => byTrace.has(p.traceId))
    .map((pin) => {
      const summary = summarizeTrace(byTrace.get(pin.traceId)!);
      const start = new Date(Number(BigInt(summary.minStartTimeUnixNano) / 1_000_000n));
      const durationNs = BigInt(summary.maxEndTimeUnixNano) - BigInt(summary.minStartTimeUnixNano);
      const hit = {
        traceId: pin.traceId,
        spanId: "",
        service: summary.rootServiceName,
        name: summary.rootOperationName,
        start,
        durationNs,
        statusCode: 0,
      };
      return { hit, summary, pin };
    });
  return { results, more: false };
}

export { pinOf, pinTrace, unpinTrace, type PinnedTraceRow };
