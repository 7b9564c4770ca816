import { baselineRange, diffElements, type CompareMode } from "../domain/compare";
import { focusSubgraph } from "../domain/graph-view";
import type { Window } from "../model/window";
import type { Queryable } from "../db/pool";
import { loadGraph, type Graph, type GraphEdge, type GraphNode } from "./graph";
import { withHealth } from "./health";

const noPercentiles = { p50: null, p95: null, p99: null };
const idleNode = (n: GraphNode): GraphNode => ({
  ...n,
  requests: 0,
  errors: 0,
  rawSpans: 0,
  ratePerSec: 0,
  errorRate: 0,
  ...noPercentiles,
});
const idleEdge = (e: GraphEdge): GraphEdge => ({
  ...e,
  requests: 0,
  errors: 0,
  status4xx: 0,
  throttled: 0,
  rawSpans: 0,
  ratePerSec: 0,
  errorRate: 0,
  client: noPercentiles,
  server: noPercentiles,
});

/**
 * The graph a map view shows: its time range, diffed against a baseline window in compare mode (the union of
 * both, so positions hold), then narrowed to the focused service's neighbourhood if any.
 */
export async function loadMapGraph(
  sql: Queryable,
  range: Window,
  focus: string | null,
  hops: number,
  compare: CompareMode | null = null,
): Promise<Graph> {
  let graph = await loadGraph(sql, range.from, range.to);
  if (compare) {
    const b = baselineRange(range.from.getTime(), range.to.getTime(), compare);
    const base = await loadGraph(sql, new Date(b.from), new Date(b.to));
    graph = {
      ...graph,
      baseline: { from: base.from, to: base.to },
      nodes: diffElements(graph.nodes, base.nodes, (n) => n.p95, idleNode),
      edges: diffElements(graph.edges, base.edges, (e) => e.client.p95 ?? e.server.p95, idleEdge),
    };
  }
  graph = await withHealth(sql, graph, range, compare);
  if (!focus) return graph;
  return { ...graph, ...focusSubgraph(graph.nodes, graph.edges, focus, hops) };
}
