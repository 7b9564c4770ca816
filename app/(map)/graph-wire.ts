// The map's graph as the server page hands it to the browser: nodes and edges as tables (table-json.ts), fractions
// cut to six digits (compact-json.ts). The client unpacks exactly the Graph the server had, up to those digits.
import { compactJson } from "./compact-json";
import type { Graph, GraphEdge, GraphNode } from "@/lib/domain/graph-model";
import { fromTable, toTable, type Table } from "./table-json";

interface GraphWire extends Omit<Graph, "nodes" | "edges"> {
  nodes: Table;
  edges: Table;
}

export function packGraph(graph: Graph): string {
  const wire: GraphWire = { ...graph, nodes: toTable(graph.nodes as never), edges: toTable(graph.edges as never) };
  return compactJson(wire);
}

export function unpackGraph(json: string): Graph {
  const wire = JSON.parse(json) as GraphWire;
  return { ...wire, nodes: fromTable<GraphNode>(wire.nodes), edges: fromTable<GraphEdge>(wire.edges) };
}
