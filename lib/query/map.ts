import { focusSubgraph } from "../domain/graph-view";
import type { TimeRange } from "../domain/time-range";
import type { Queryable } from "../db/pool";
import { loadGraph, type Graph } from "./graph";

/** The graph a map view shows: its time range, narrowed to the focused service's neighbourhood if any. */
export async function loadMapGraph(sql: Queryable, range: TimeRange, focus: string | null, hops: number): Promise<Graph> {
  const graph = await loadGraph(sql, range.from, range.to);
  if (!focus) return graph;
  return { ...graph, ...focusSubgraph(graph.nodes, graph.edges, focus, hops) };
}
