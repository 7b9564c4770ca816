import { baselineRange, type CompareMode } from "../domain/compare";
import type { Graph, GraphEdge, GraphNode } from "../domain/graph-model";
import {
  changeOf,
  healthOf,
  pointAtCauses,
  rankChanges,
  type Change,
  type HealthThresholds,
  type RecentFigures,
} from "../domain/health";
import type { Window } from "../model/window";
import { versionChanges } from "../db/service-reads";
import type { Queryable } from "../db/pool";
import { healthThresholds } from "../config-health";
import { loadGraph } from "./graph";

/**
 * The recent minutes that decide health: the last two before the watermark (or the window's end, if earlier),
 * from the start of the minute they begin in.
 */
export const RECENT_MS = 2 * 60_000;
/**
 * Without a compare window, the baseline is the hour before the window (for what had no traffic then: the window's
 * part before its recent minutes).
 */
export const BASELINE_MS = 60 * 60_000;

const none: RecentFigures = { requests: 0, ratePerSec: 0, errorRate: 0, p95: null };
const nodeFigures = (n: GraphNode | undefined): RecentFigures =>
  n ? { requests: n.requests, ratePerSec: n.ratePerSec, errorRate: n.errorRate, p95: n.p95 } : none;
const edgeFigures = (e: GraphEdge | undefined): RecentFigures =>
  e
    ? { requests: e.requests, ratePerSec: e.ratePerSec, errorRate: e.errorRate, p95: e.client.p95 ?? e.server.p95 }
    : none;

interface Comparison {
  recent: Graph;
  baseline: Graph;
  recentRange: { from: string; to: string };
  baselineRange: { from: string; to: string };
}

/** `primary`'s nodes and edges, and those of `fallback` that had no traffic in `primary`. */
function withFallback(primary: Graph, fallback: Graph): Graph {
  const busy = <T extends { id: string; requests: number }>(xs: T[]) =>
    new Set(xs.filter((x) => x.requests > 0).map((x) => x.id));
  const nodes = busy(primary.nodes);
  const edges = busy(primary.edges);
  return {
    ...primary,
    nodes: [...primary.nodes.filter((n) => nodes.has(n.id)), ...fallback.nodes.filter((n) => !nodes.has(n.id))],
    edges: [...primary.edges.filter((e) => edges.has(e.id)), ...fallback.edges.filter((e) => !edges.has(e.id))],
  };
}

/** The recent minutes and the baseline of a window, as graphs. */
async function compareWindows(
  sql: Queryable,
  range: Window,
  compare: CompareMode | null,
  settledUntil: string | null,
): Promise<Comparison> {
  const end = Math.min(range.to.getTime(), settledUntil ? Date.parse(settledUntil) : range.from.getTime());
  // Roll-ups are per minute and a minute counts when it starts in the window: the recent part is the whole minutes
  // starting in it (and the one still filling, rates over the part counted), so no minute from before a window
  // that starts mid-minute (an incident's start, say) mixes in; only while there is no such minute yet, the one
  // it starts in.
  const minute = (t: number) => Math.floor(t / 60_000) * 60_000;
  const recentStart = Math.max(range.from.getTime(), end - RECENT_MS);
  const recentFrom =
    Math.ceil(recentStart / 60_000) * 60_000 < end ? Math.ceil(recentStart / 60_000) * 60_000 : minute(recentStart);
  const shifted = compare
    ? baselineRange(range.from.getTime(), range.to.getTime(), compare)
    : { from: range.from.getTime() - BASELINE_MS, to: range.from.getTime() };
  // Whole minutes only: the minute the window starts in is the recent part's, not the baseline's.
  const base = {
    from: minute(shifted.from),
    to: minute(shifted.to) > minute(shifted.from) ? minute(shifted.to) : shifted.to,
  };
  // Without a compare window, what had no traffic in the hour before (a service deployed, or a demo started,
  // within the window) is compared with the window's own earlier part, so only what appeared within the recent
  // minutes is "new".
  const earlierFrom = range.from.getTime();
  const envs = { envs: range.envs, dims: range.dims };
  const [recent, hourBefore, earlier] = await Promise.all([
    end > recentFrom ? loadGraph(sql, new Date(recentFrom), new Date(end), envs) : null,
    loadGraph(sql, new Date(base.from), new Date(base.to), envs),
    !compare && recentFrom - earlierFrom >= 60_000
      ? loadGraph(sql, new Date(earlierFrom), new Date(recentFrom), envs)
      : null,
  ]);
  const baseline = earlier ? withFallback(hourBefore, earlier) : hourBefore;
  return {
    recent: recent ?? { ...baseline, nodes: [], edges: [] },
    baseline,
    recentRange: { from: new Date(recentFrom).toISOString(), to: new Date(Math.max(end, recentFrom)).toISOString() },
    baselineRange: { from: new Date(base.from).toISOString(), to: new Date(base.to).toISOString() },
  };
}

/**
 * Adds to each node and edge its recent figures, its baseline figures and its health (lib/domain/health.ts), so
 * the map can show where it hurts now rather than averaged over the window.
 */
export async function withHealth(
  sql: Queryable,
  graph: Graph,
  range: Window,
  compare: CompareMode | null,
  thresholds: HealthThresholds = healthThresholds(),
): Promise<Graph> {
  const c = await compareWindows(sql, range, compare, graph.settledUntil);
  const rn = new Map(c.recent.nodes.map((n) => [n.id, n]));
  const bn = new Map(c.baseline.nodes.map((n) => [n.id, n]));
  const re = new Map(c.recent.edges.map((e) => [e.id, e]));
  const be = new Map(c.baseline.edges.map((e) => [e.id, e]));
  return {
    ...graph,
    recentWindow: c.recentRange,
    baselineWindow: c.baselineRange,
    nodes: graph.nodes.map((n) => {
      const recent = nodeFigures(rn.get(n.id));
      const baseline = nodeFigures(bn.get(n.id));
      return { ...n, recent, baseline, health: healthOf(recent, baseline, thresholds) };
    }),
    edges: graph.edges.map((e) => {
      const recent = edgeFigures(re.get(e.id));
      const baseline = edgeFigures(be.get(e.id));
      return { ...e, recent, baseline, health: healthOf(recent, baseline, thresholds) };
    }),
  };
}

export interface Changes {
  from: string;
  to: string;
  settledUntil: string | null;
  recentWindow: { from: string; to: string };
  baselineWindow: { from: string; to: string };
  /** The baseline window had no traffic at all: nothing can be said to have changed (everything would read as new). */
  baselineEmpty: boolean;
  changes: Change[];
}

/**
 * Nodes and edges ranked by how far their recent minutes moved from their baseline (errors, latency, rate,
 * appeared, disappeared, a new service.version), with the figures behind each.
 */
export async function loadChanges(
  sql: Queryable,
  range: Window,
  compare: CompareMode | null,
  thresholds: HealthThresholds = healthThresholds(),
): Promise<Changes> {
  const graph = await loadGraph(sql, range.from, range.to, { envs: range.envs, dims: range.dims });
  const c = await compareWindows(sql, range, compare, graph.settledUntil);
  const ids = new Set([...c.recent.nodes, ...c.baseline.nodes].map((n) => n.id));
  // A new version: first seen after the baseline (so not what the baseline measured), before the window's end.
  const deploys = await versionChanges(sql, [...ids], { from: new Date(c.baselineRange.to), to: range.to });
  const latestVersion = new Map(deploys.map((d) => [d.service, d.version]));
  const changes: Change[] = [];
  const add = <T extends { id: string }>(
    kind: Change["kind"],
    recent: T[],
    baseline: T[],
    figures: (x: T | undefined) => RecentFigures,
  ) => {
    const r = new Map(recent.map((x) => [x.id, x]));
    const b = new Map(baseline.map((x) => [x.id, x]));
    for (const id of new Set([...r.keys(), ...b.keys()])) {
      const now = figures(r.get(id));
      const before = figures(b.get(id));
      const version = kind === "node" ? (latestVersion.get(id) ?? null) : null;
      const change = changeOf(kind, id, now, before, healthOf(now, before, thresholds), { now: version, before: null });
      if (change) changes.push(change);
    }
  };
  add("node", c.recent.nodes, c.baseline.nodes, nodeFigures);
  add("edge", c.recent.edges, c.baseline.edges, edgeFigures);
  const endpoints = new Map(
    [...c.recent.edges, ...c.baseline.edges].map((e) => [e.id, { source: e.source, target: e.target }]),
  );
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    settledUntil: graph.settledUntil,
    recentWindow: c.recentRange,
    baselineWindow: c.baselineRange,
    baselineEmpty: c.baseline.nodes.length === 0,
    changes: c.baseline.nodes.length === 0 ? [] : rankChanges(pointAtCauses(changes, endpoints)),
  };
}
