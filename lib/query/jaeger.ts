import { findTraceSpans } from "../db/span-reads";
import { searchTraces } from "../db/trace-search";
import { serviceOperations, spanServices } from "../db/jaeger-reads";
import type { Queryable } from "../db/pool";
import { toJaegerTrace, type JaegerSearch } from "../domain/jaeger";
import { loadGraph } from "./graph";

const DAY = 86_400_000;

export const jaegerServices = (sql: Queryable) => spanServices(sql, new Date(Date.now() - DAY));

export const jaegerOperations = (sql: Queryable, service: string) => serviceOperations(sql, service, new Date(Date.now() - DAY));

export async function jaegerTrace(sql: Queryable, traceId: string) {
  const spans = await findTraceSpans(sql, traceId);
  return spans.length ? toJaegerTrace(spans) : null;
}

/** Matching traces, newest first, each whole. */
export async function jaegerFindTraces(sql: Queryable, q: JaegerSearch) {
  const hits = await searchTraces(sql, q.search, q.from, q.to, q.limit);
  const traces = await Promise.all(hits.map((h) => findTraceSpans(sql, h.traceId)));
  return traces.filter((t) => t.length > 0).map(toJaegerTrace);
}

/** Service-to-service call counts over the lookback before endTs, from the roll-ups (virtual nodes included). */
export async function jaegerDependencies(sql: Queryable, endMs: number, lookbackMs: number) {
  const graph = await loadGraph(sql, new Date(endMs - lookbackMs), new Date(endMs));
  return graph.edges.map((e) => ({ parent: e.source, child: e.target, callCount: Math.round(e.requests) }));
}
