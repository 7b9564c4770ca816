import { percentiles, type Percentiles } from "../model/histogram";
import { coveredRate, seriesStep, stepCoverage, type Window } from "../model/window";
import { settledUntil } from "../db/epochs";
import { badRequest } from "../errors";
import { edgeExamples, edgeExamplesAtOrBelow, edgeSeries, nodesSeen, type NodeSeenRow } from "../db/graph-reads";
import type { Queryable } from "../db/pool";
import { versionChanges } from "../db/service-reads";

export interface EdgeRef {
  source: string;
  target: string;
  connectionType: string | null;
}

export interface SeriesPoint {
  t: string;
  /** The step is not all counted yet (it reaches past the aggregation watermark): not final, never a drop. */
  partial: boolean;
  requests: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  rawSpans: number;
  client: Percentiles;
  server: Percentiles;
}

/** The aggregation watermark (see Graph.settledUntil), as ISO text; null before anything was counted. */
export async function loadSettledUntil(sql: Queryable): Promise<string | null> {
  return (await settledUntil(sql))?.toISOString() ?? null;
}

/** The start of the step holding `t`: series read whole steps. */
export const stepStart = (t: Date, stepMs: number) => new Date(Math.floor(t.getTime() / stepMs) * stepMs);

/** Every step start in the range; steps without rows are still present (with zero traffic). */
export function fillSteps<R extends { bucket: Date }, P>(
  range: Window,
  stepMs: number,
  rows: R[],
  point: (t: number, r: R | undefined) => P,
): P[] {
  const byBucket = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  const points: P[] = [];
  for (let t = Math.floor(range.from.getTime() / stepMs) * stepMs; t < range.to.getTime(); t += stepMs)
    points.push(point(t, byBucket.get(t)));
  return points;
}

export interface Deploy {
  service: string;
  version: string;
  at: string;
}

export async function loadDeploys(sql: Queryable, services: string[], range: Window): Promise<Deploy[]> {
  const rows = await versionChanges(sql, services, range);
  return rows.map((r) => ({ service: r.service, version: r.version, at: r.at.toISOString() }));
}

/** Per-step figures of one edge, plus the deploys (new service.version) of either end in the range. */
export async function loadEdgeSeries(
  sql: Queryable,
  edge: EdgeRef,
  range: Window,
  step: string | null,
): Promise<{
  stepSeconds: number;
  settledUntil: string | null;
  points: SeriesPoint[];
  deploys: Deploy[];
}> {
  const stepMs = seriesStep(range, step);
  const [rows, deploys, settled] = await Promise.all([
    // From the start of the first step: a step cut by the window's start would read as a drop.
    edgeSeries(sql, edge, { ...range, from: stepStart(range.from, stepMs) }, stepMs),
    loadDeploys(sql, [edge.source, edge.target], range),
    settledUntil(sql),
  ]);
  const points = fillSteps(range, stepMs, rows, (t, r) => {
    const requests = r?.requests ?? 0;
    const errors = r?.failed ?? 0;
    const coverage = stepCoverage(t, stepMs, settled?.getTime() ?? null);
    return {
      t: new Date(t).toISOString(),
      partial: coverage < 1,
      requests,
      errors,
      ratePerSec: coveredRate(requests, stepMs, coverage),
      errorRate: requests > 0 ? errors / requests : 0,
      rawSpans: Number(r?.rawSpans ?? 0),
      client: percentiles(r?.clientHist ?? {}),
      server: percentiles(r?.serverHist ?? {}),
    };
  });
  return { stepSeconds: stepMs / 1000, settledUntil: settled?.toISOString() ?? null, points, deploys };
}

const CATEGORIES = ["slowest", "errors", "typical"] as const;
export type ExampleKind = (typeof CATEGORIES)[number];

export function parseMaxMs(v: string | null): number | null {
  if (v === null || v === "") return null;
  const n = Number(v);
  // Up to a day: longer calls are not kept apart by the latency buckets anyway, and nanoseconds must fit an int8.
  if (!Number.isFinite(n) || n < 0 || n > 86_400_000) throw badRequest("maxMs must be milliseconds from 0 to 86400000");
  return n;
}

export function parseExampleKind(v: string | null): ExampleKind {
  const kind = v ?? "slowest";
  if (!(CATEGORIES as readonly string[]).includes(kind))
    throw badRequest(`kind must be one of ${CATEGORIES.join(", ")}`);
  return kind as ExampleKind;
}

/** maxMs set: the slowest examples at or below it (a clicked point on the latency chart), whatever their kind. */
export async function loadEdgeExamples(
  sql: Queryable,
  edge: EdgeRef,
  range: Window,
  kind: ExampleKind,
  limit = 20,
  maxMs: number | null = null,
) {
  const rows =
    maxMs === null
      ? await edgeExamples(sql, edge, range, kind, limit)
      : await edgeExamplesAtOrBelow(sql, edge, range, BigInt(Math.round(maxMs * 1e6)), limit);
  return rows.map((r) => ({
    traceId: r.traceId,
    spanId: r.spanId,
    start: r.start.toISOString(),
    durationMs: Number(r.durationNs) / 1e6,
    status: r.failed ? "error" : "ok",
    errorMessage: r.errorMessage,
  }));
}

export async function loadServices(
  sql: Queryable,
  since: Date,
): Promise<{ name: string; type: string; lastSeen: string }[]> {
  const rows: NodeSeenRow[] = await nodesSeen(sql, since);
  return rows.map((r) => ({ name: r.name, type: r.type, lastSeen: r.lastSeen.toISOString() }));
}
