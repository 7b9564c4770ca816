import type { StoredSpan } from "../model/span";
import { findTraceSpans } from "../db/span-reads";
import { searchTraces } from "../db/trace-search";
import {
  callerMinutes,
  entryMinutes,
  serviceOperationKinds,
  serviceOperations,
  spanServices,
  summarySpans,
  type MinuteFiguresRow,
} from "../db/jaeger-reads";
import { settledUntil } from "../db/epochs";
import type { Queryable } from "../db/pool";
import { toJaegerTrace, type JaegerError, type JaegerSearch } from "../domain/jaeger";
import { kindName, summarizeTrace, toOtlpTraces } from "../domain/jaeger-v3";
import {
  metricFamily,
  minutesRead,
  type MetricsQuery,
  type MetricType,
  type MinuteFigures,
} from "../domain/jaeger-metrics";
import { loadGraph } from "./graph";
import { groupByTrace } from "./traces";

const DAY = 86_400_000;

export const jaegerServices = (sql: Queryable) => spanServices(sql, new Date(Date.now() - DAY));

export const jaegerOperations = (sql: Queryable, service: string) =>
  serviceOperations(sql, service, new Date(Date.now() - DAY));

/** A service's operations with their kinds, as /api/operations (v1) and /api/v3/operations list them. */
export async function jaegerOperationKinds(sql: Queryable, service: string, kind: number | null, api: "v1" | "v3") {
  const rows = await serviceOperationKinds(sql, service, kind, new Date(Date.now() - DAY));
  const seen = new Set<string>();
  const out: { name: string; spanKind: string }[] = [];
  for (const r of rows) {
    const op = { name: r.name, spanKind: kindName(r.kind, api) };
    const key = JSON.stringify(op);
    if (!seen.has(key)) seen.add(key), out.push(op);
  }
  return out;
}

export async function jaegerTrace(sql: Queryable, traceId: string) {
  const spans = await findTraceSpans(sql, traceId);
  return spans.length ? toJaegerTrace(spans) : null;
}

/** Traces by id, in the order asked; the ones not stored are reported as Jaeger does, beside the data. */
export async function jaegerTracesById(sql: Queryable, traceIds: string[]) {
  const found = await Promise.all(traceIds.map((id) => findTraceSpans(sql, id)));
  const errors: JaegerError[] = traceIds
    .filter((_, i) => found[i]!.length === 0)
    .map((traceID) => ({ code: 404, msg: "trace not found", traceID }));
  return { traces: found.filter((t) => t.length > 0).map(toJaegerTrace), errors };
}

async function foundTraces(sql: Queryable, q: JaegerSearch): Promise<StoredSpan[][]> {
  const hits = await searchTraces(sql, q.search, q, q.limit);
  const traces = await Promise.all(hits.map((h) => findTraceSpans(sql, h.traceId)));
  return traces.filter((t) => t.length > 0);
}

/** Matching traces, newest first, each whole. */
export async function jaegerFindTraces(sql: Queryable, q: JaegerSearch) {
  return (await foundTraces(sql, q)).map(toJaegerTrace);
}

/** v3: one trace as OTLP JSON, or null. */
export async function otlpTrace(sql: Queryable, traceId: string) {
  const spans = await findTraceSpans(sql, traceId);
  return spans.length ? toOtlpTraces(spans) : null;
}

/** v3: every matching trace's spans in one OTLP TracesData. */
export async function otlpFindTraces(sql: Queryable, q: JaegerSearch) {
  const traces = await foundTraces(sql, q);
  return traces.length ? toOtlpTraces(traces.flat()) : null;
}

/** v3: a summary per matching trace, newest first, without reading the spans' payloads. */
export async function jaegerTraceSummaries(sql: Queryable, q: JaegerSearch) {
  const hits = await searchTraces(sql, q.search, q, q.limit);
  const spans = await summarySpans(
    sql,
    hits.map((h) => h.traceId),
  );
  const byTrace = groupByTrace(spans);
  return hits.filter((h) => byTrace.has(h.traceId)).map((h) => summarizeTrace(byTrace.get(h.traceId)!));
}

/** Service-to-service call counts over the lookback before endTs, from the roll-ups (virtual nodes included). */
export async function jaegerDependencies(sql: Queryable, endMs: number, lookbackMs: number, envs: string[] = []) {
  const graph = await loadGraph(sql, new Date(endMs - lookbackMs), new Date(endMs), { envs });
  return graph.edges.map((e) => ({ parent: e.source, child: e.target, callCount: Math.round(e.requests) }));
}

/** Rows of the same service, operation and minute (several kinds, or several callees) summed into one. */
function mergedMinutes(rows: MinuteFiguresRow[]): MinuteFigures[] {
  const out = new Map<string, MinuteFigures>();
  for (const r of rows) {
    const minuteMs = r.minute.getTime();
    const key = `${minuteMs}\u0000${r.service}\u0000${r.operation}`;
    const m = out.get(key) ?? {
      minuteMs,
      service: r.service,
      operation: r.operation,
      requests: 0,
      failed: 0,
      hist: {},
    };
    m.requests += r.requests;
    m.failed += r.failed;
    for (const [b, w] of Object.entries(r.hist)) m.hist[b] = (m.hist[b] ?? 0) + w;
    out.set(key, m);
  }
  return [...out.values()];
}

const ENTRY_KINDS = [2, 5];

/**
 * Jaeger's metrics API from the roll-ups, no storage of its own: server and consumer spans from the per-service
 * roll-up (per operation too), client calls from the edges' caller-side figures (per service only: edges are not
 * kept per span name). Other kinds have no roll-up and answer with no metrics.
 */
export async function jaegerMetrics(sql: Queryable, type: MetricType, q: MetricsQuery) {
  const read = minutesRead(q);
  const [entries, calls, settled] = await Promise.all([
    q.spanKinds.some((k) => ENTRY_KINDS.includes(k))
      ? entryMinutes(sql, q.services, { ...read, envs: q.envs }, q.groupByOperation)
      : [],
    q.spanKinds.includes(3) && !q.groupByOperation ? callerMinutes(sql, q.services, { ...read, envs: q.envs }) : [],
    settledUntil(sql),
  ]);
  return metricFamily(type, q, mergedMinutes([...entries, ...calls]), settled?.getTime() ?? null);
}
