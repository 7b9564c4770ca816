import { percentiles, type Percentiles } from "../domain/histogram";
import { seriesStep, type TimeRange } from "../domain/time-range";
import type { GraphEdge, GraphNode } from "../domain/graph-model";
import { operationTotals, serviceSeries } from "../db/service-reads";
import type { Queryable } from "../db/pool";
import { fillSteps, loadDeploys, type Deploy } from "./edges";
import { loadGraph } from "./graph";

export interface OperationFigures extends Percentiles {
  name: string;
  requests: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
}

export interface ServicePoint extends Percentiles {
  t: string;
  requests: number;
  ratePerSec: number;
  errorRate: number;
}

export interface ServiceDetail {
  name: string;
  from: string;
  to: string;
  stepSeconds: number;
  /** null when the service sent nothing and nobody called it in the range. */
  node: GraphNode | null;
  series: ServicePoint[];
  operations: OperationFigures[];
  callers: GraphEdge[];
  callees: GraphEdge[];
  deploys: Deploy[];
}

/** Everything the service page shows: RED over time, per-operation figures, callers, callees, data quality. */
export async function loadServiceDetail(sql: Queryable, name: string, range: TimeRange, step: string | null): Promise<ServiceDetail> {
  const stepMs = seriesStep(range, step);
  const seconds = Math.max((range.to.getTime() - range.from.getTime()) / 1000, 1);
  const [graph, rows, ops, deploys] = await Promise.all([
    loadGraph(sql, range.from, range.to),
    serviceSeries(sql, name, range.from, range.to, stepMs),
    operationTotals(sql, name, range.from, range.to),
    loadDeploys(sql, [name], range),
  ]);
  const series = fillSteps(range, stepMs, rows, (t, r) => {
    const requests = r?.requests ?? 0;
    return { t: new Date(t).toISOString(), requests, ratePerSec: requests / (stepMs / 1000), errorRate: requests > 0 ? (r?.failed ?? 0) / requests : 0, ...percentiles(r?.hist ?? {}) };
  });
  return {
    name, from: range.from.toISOString(), to: range.to.toISOString(), stepSeconds: stepMs / 1000,
    node: graph.nodes.find((n) => n.id === name) ?? null,
    series,
    operations: ops.map((o) => ({
      name: o.operation, requests: o.requests, errors: o.failed, ratePerSec: o.requests / seconds,
      errorRate: o.requests > 0 ? o.failed / o.requests : 0, ...percentiles(o.hist),
    })),
    callers: graph.edges.filter((e) => e.target === name),
    callees: graph.edges.filter((e) => e.source === name),
    deploys,
  };
}
