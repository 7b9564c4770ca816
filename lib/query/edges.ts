import { percentiles, type Percentiles } from "../domain/histogram";
import { seriesStep, type TimeRange } from "../domain/time-range";
import { badRequest } from "../errors";
import { edgeExamples, edgeSeries, nodesSeen, type NodeSeenRow } from "../db/graph-reads";
import type { Queryable } from "../db/pool";

export interface EdgeRef {
  source: string;
  target: string;
  connectionType: string | null;
}

export interface SeriesPoint {
  t: string;
  requests: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  rawSpans: number;
  client: Percentiles;
  server: Percentiles;
}

/** Per-step figures of one edge; steps without traffic are present with zero requests. */
export async function loadEdgeSeries(sql: Queryable, edge: EdgeRef, range: TimeRange, step: string | null): Promise<{ stepSeconds: number; points: SeriesPoint[] }> {
  const stepMs = seriesStep(range, step);
  const rows = await edgeSeries(sql, edge, range.from, range.to, stepMs);
  const byBucket = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  const points: SeriesPoint[] = [];
  for (let t = Math.floor(range.from.getTime() / stepMs) * stepMs; t < range.to.getTime(); t += stepMs) {
    const r = byBucket.get(t);
    const requests = r?.requests ?? 0;
    const errors = r?.failed ?? 0;
    points.push({
      t: new Date(t).toISOString(), requests, errors, ratePerSec: requests / (stepMs / 1000),
      errorRate: requests > 0 ? errors / requests : 0, rawSpans: Number(r?.rawSpans ?? 0),
      client: percentiles(r?.clientHist ?? {}), server: percentiles(r?.serverHist ?? {}),
    });
  }
  return { stepSeconds: stepMs / 1000, points };
}

const CATEGORIES = ["slowest", "errors", "typical"] as const;
export type ExampleKind = (typeof CATEGORIES)[number];

export function parseExampleKind(v: string | null): ExampleKind {
  const kind = v ?? "slowest";
  if (!(CATEGORIES as readonly string[]).includes(kind)) throw badRequest(`kind must be one of ${CATEGORIES.join(", ")}`);
  return kind as ExampleKind;
}

export async function loadEdgeExamples(sql: Queryable, edge: EdgeRef, range: TimeRange, kind: ExampleKind, limit = 20) {
  const rows = await edgeExamples(sql, edge, range.from, range.to, kind, limit);
  return rows.map((r) => ({
    traceId: r.traceId, spanId: r.spanId, start: r.start.toISOString(), durationMs: Number(r.durationNs) / 1e6,
    status: r.failed ? "error" : "ok", errorMessage: r.errorMessage,
  }));
}

export async function loadServices(sql: Queryable, since: Date): Promise<{ name: string; type: string; lastSeen: string }[]> {
  const rows: NodeSeenRow[] = await nodesSeen(sql, since);
  return rows.map((r) => ({ name: r.name, type: r.type, lastSeen: r.lastSeen.toISOString() }));
}
