import {
  bucketCounts,
  mergeBucketCounts,
  percentiles,
  type BucketCounts,
  type Histogram,
  type Percentiles,
} from "../model/histogram";
import { cardinalityLimits } from "../config-limits";
import { OTHER_OPERATIONS } from "../domain/cardinality";
import { coveredRate, seriesStep, stepCoverage, type Window } from "../model/window";
import type { GraphEdge, GraphNode } from "../domain/graph-model";
import { type OperationTotalsRow, operationTotals, serviceSeries, serviceEverSeen } from "../db/service-reads";
import { versionFigures, type VersionFiguresRow } from "../db/version-figures";
import type { Queryable } from "../db/pool";
import { fillSteps, loadDeploys, stepStart, type Deploy } from "./edges";
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
  /** Not all counted yet (past the aggregation watermark): not final, never a drop. */
  partial: boolean;
  requests: number;
  ratePerSec: number;
  errorRate: number;
}

export interface ServiceDetail {
  name: string;
  from: string;
  to: string;
  stepSeconds: number;
  /** The aggregation watermark the figures cover (see Graph.settledUntil). */
  settledUntil: string | null;
  /** null when the service sent nothing and nobody called it in the range. */
  node: GraphNode | null;
  /** Whether the service exists at all: it has sent spans, or someone calls it, at some time. */
  known: boolean;
  series: ServicePoint[];
  operations: OperationFigures[];
  callers: GraphEdge[];
  callees: GraphEdge[];
  deploys: Deploy[];
  /** Per service.version, from the stored spans: a deploy regression reads as "2.0.0: p95 +150 ms". */
  versions: VersionFiguresRow[];
}

/** Everything the service page shows: RED over time, per-operation figures, callers, callees, data quality. */
export async function loadServiceDetail(
  sql: Queryable,
  name: string,
  range: Window,
  step: string | null,
): Promise<ServiceDetail> {
  const stepMs = seriesStep(range, step);
  const [graph, rows, ops, deploys, versions, seen] = await Promise.all([
    // The page's own service is never folded into "(other service)", however quiet it is.
    loadGraph(sql, range.from, range.to, { keep: [name], envs: range.envs, dims: range.dims }),
    serviceSeries(sql, name, { ...range, from: stepStart(range.from, stepMs) }, stepMs),
    operationTotals(sql, name, range),
    loadDeploys(sql, [name], range),
    versionFigures(sql, name, range),
    serviceEverSeen(sql, name),
  ]);
  const settled = graph.settledUntil === null ? null : Date.parse(graph.settledUntil);
  const seconds = graph.coveredSeconds;
  const series = fillSteps(range, stepMs, rows, (t, r) => {
    const requests = r?.requests ?? 0;
    const coverage = stepCoverage(t, stepMs, settled);
    return {
      t: new Date(t).toISOString(),
      partial: coverage < 1,
      requests,
      ratePerSec: coveredRate(requests, stepMs, coverage),
      errorRate: requests > 0 ? (r?.failed ?? 0) / requests : 0,
      ...percentiles(r?.hist ?? {}),
    };
  });
  return {
    name,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    stepSeconds: stepMs / 1000,
    settledUntil: graph.settledUntil,
    node: graph.nodes.find((n) => n.id === name) ?? null,
    known: seen || graph.nodes.some((n) => n.id === name),
    series,
    operations: cappedOperations(ops, cardinalityLimits().maxOperationsPerService).map((o) => ({
      name: o.operation,
      requests: o.requests,
      errors: o.failed,
      ratePerSec: o.requests / seconds,
      errorRate: o.requests > 0 ? o.failed / o.requests : 0,
      ...percentiles(o.hist),
    })),
    callers: graph.edges.filter((e) => e.target === name),
    callees: graph.edges.filter((e) => e.source === name),
    deploys,
    versions,
  };
}

/** The busiest operations (rows come busiest first) and, past the cap, one row for the rest: their sum. */
function cappedOperations(
  ops: OperationTotalsRow[],
  max: number,
): (Omit<OperationTotalsRow, "hist"> & { hist: Histogram | BucketCounts })[] {
  if (ops.length <= max) return ops;
  const rest = ops.slice(max - 1);
  return [
    ...ops.slice(0, max - 1),
    {
      operation: `${OTHER_OPERATIONS} (${rest.length.toLocaleString("en-US")})`,
      requests: rest.reduce((s, o) => s + o.requests, 0),
      failed: rest.reduce((s, o) => s + o.failed, 0),
      hist: mergeBucketCounts(rest.map((o) => bucketCounts(o.hist))),
    },
  ];
}
