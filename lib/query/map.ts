import { baselineRange, diffElements, type CompareMode } from "../domain/compare";
import { focusSubgraph } from "../domain/graph-view";
import type { Window } from "../model/window";
import type { Queryable } from "../db/pool";
import { loadGraph, type Graph, type GraphEdge, type GraphNode } from "./graph";
import { serviceDimensionValues, serviceEnvironments } from "../db/graph-reads";
import { graphSettings } from "../config-graph";
import { versionChanges } from "../db/service-reads";
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
  let graph = await loadGraph(sql, range.from, range.to, { envs: range.envs, dims: range.dims });
  if (compare) {
    const b = baselineRange(range.from.getTime(), range.to.getTime(), compare);
    const base = await loadGraph(sql, new Date(b.from), new Date(b.to), { envs: range.envs, dims: range.dims });
    graph = {
      ...graph,
      baseline: { from: base.from, to: base.to },
      nodes: diffElements(graph.nodes, base.nodes, (n) => n.p95, idleNode),
      edges: diffElements(graph.edges, base.edges, (e) => e.client.p95 ?? e.server.p95, idleEdge),
    };
  }
  graph = await withDeploys(sql, graph);
  graph = await withEnvironments(sql, graph, range);
  graph = await withDimensions(sql, graph, range);
  graph = await withHealth(sql, graph, range, compare);
  if (!focus) return graph;
  return { ...graph, ...focusSubgraph(graph.nodes, graph.edges, focus, hops) };
}

/**
 * Each service node that started a new service.version in the window (the read window, as its figures) gets its
 * deploys, for the map's ring and badge and the node panel. Only the map shows them, so only it asks.
 */
async function withDeploys(sql: Queryable, graph: Graph): Promise<Graph> {
  const live = graph.nodes.filter((n) => n.type === "service" && n.diff?.status !== "removed");
  const w = { from: new Date(graph.from), to: new Date(graph.to) };
  const deploys = new Map<string, NonNullable<GraphNode["deploys"]>>();
  for (const d of await versionChanges(
    sql,
    live.map((n) => n.id),
    w,
  ))
    deploys.set(d.service, [...(deploys.get(d.service) ?? []), { version: d.version, at: d.at.toISOString() }]);
  if (deploys.size === 0) return graph;
  return { ...graph, nodes: graph.nodes.map((n) => (deploys.has(n.id) ? { ...n, deploys: deploys.get(n.id) } : n)) };
}

/**
 * The environments seen in the window (for the selector) and, when the map shows more than one of them, each
 * service's, so a node merged across environments says which.
 */
async function withEnvironments(sql: Queryable, graph: Graph, range: Window): Promise<Graph> {
  const pairs = await serviceEnvironments(sql, range);
  const environments = [...new Set(pairs.map((p) => p.env))].sort();
  const shown = range.envs?.length ? environments.filter((e) => range.envs!.includes(e)) : environments;
  const out: Graph = { ...graph, environments, ...(range.envs?.length && { envs: [...range.envs] }) };
  // Spans without an environment (a Zipkin or X-Ray sender has no resource to say it) do not make every node of
  // one named environment carry its name: nodes are labelled when two named environments are on the map.
  if (shown.filter((e) => e !== "").length < 2) return out;
  const envsOf = new Map<string, string[]>();
  for (const p of pairs) if (shown.includes(p.env)) envsOf.set(p.service, [...(envsOf.get(p.service) ?? []), p.env]);
  return { ...out, nodes: graph.nodes.map((n) => (envsOf.has(n.id) ? { ...n, envs: envsOf.get(n.id) } : n)) };
}

/**
 * With SERVICE_GRAPH_DIMENSIONS set: each dimension's values seen in the window (for the map's filters, whatever
 * is filtered), the filter in force, and each service's value per dimension (its busiest), for grouping by it.
 */
async function withDimensions(sql: Queryable, graph: Graph, range: Window): Promise<Graph> {
  const keys = graphSettings().dimensions;
  const active = range.dims && Object.keys(range.dims).length > 0 ? { dims: { ...range.dims } } : {};
  if (keys.length === 0) return { ...graph, ...active };
  const rows = await serviceDimensionValues(sql, range);
  const values = new Map<string, Set<string>>(keys.map((k) => [k, new Set()]));
  const ofService = new Map<string, Record<string, string>>();
  for (const r of rows) {
    if (!values.has(r.key)) continue; // kept under a dimension no longer configured
    values.get(r.key)!.add(r.value);
    const own = ofService.get(r.service) ?? {};
    // Rows come busiest first; under a filter on this key, a service that has the chosen value is in its group.
    if (range.dims?.[r.key] === r.value || own[r.key] === undefined) own[r.key] = r.value;
    ofService.set(r.service, own);
  }
  return {
    ...graph,
    ...active,
    dimensions: keys.map((key) => ({ key, values: [...values.get(key)!].sort() })),
    nodes: graph.nodes.map((n) => (ofService.has(n.id) ? { ...n, dims: ofService.get(n.id) } : n)),
  };
}
