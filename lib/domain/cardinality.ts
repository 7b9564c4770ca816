// Cardinality limits of the service graph: beyond MAX_GRAPH_NODES / MAX_GRAPH_EDGES the smallest nodes and edges
// are folded into one "other" node per node type, and counted, so a flood of service or peer names (careless or
// hostile instrumentation) yields a map that still loads, with a banner that says what was folded and why.

export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
}

export const defaultGraphLimits: GraphLimits = { maxNodes: 2_000, maxEdges: 10_000 };

/** What folding did to one graph: shown as a banner, never silent. */
export interface FoldReport {
  limits: GraphLimits;
  /** Nodes merged into "other" nodes, per node type. */
  nodesByType: Record<string, number>;
  nodes: number;
  /** Edges merged into others (their own or an "other" node's). */
  edges: number;
}

/** The node that stands for the folded nodes of one type: parenthesised, which no OTel service name needs. */
export const otherNodeId = (type: string) => `(other ${type})`;
/** The service page's row for the operations past MAX_OPERATIONS_PER_SERVICE. */
export const OTHER_OPERATIONS = "(other operations)";
export const isOtherNode = (id: string) => /^\(other [a-z]+\)$/.test(id);

export interface FoldNode {
  type: string;
  /** Requests it served (services) or that were sent to it (virtual nodes); its edges' traffic is added. */
  requests: number;
}

export interface FoldEdge {
  source: string;
  target: string;
  sourceType: string;
  targetType: string;
  connectionType: string;
  requests: number;
}

export interface FoldPlan {
  /** The node a name is drawn as (itself when kept). */
  node(name: string): string;
  /** The ends an edge is drawn with (its index in the input). */
  ends(index: number): { source: string; target: string };
  report: FoldReport | null;
}

const keyOf = (source: string, target: string, connectionType: string) =>
  `${source}\u0000${target}\u0000${connectionType}`;

/**
 * Decides what to fold. Nodes: the busiest (own requests plus the requests of their edges) are kept, `user` and
 * `keep` (a page's own service) always, the rest become their type's "other" node. Edges: if more than `maxEdges`
 * remain once merged, the quietest ones are pointed at their target type's "other" node, then, if still too many,
 * also from their source type's. Deterministic: ties go by name.
 */
export function planFold(
  nodes: Map<string, FoldNode>,
  edges: FoldEdge[],
  limits: GraphLimits,
  keep: readonly string[] = [],
): FoldPlan {
  const kept = new Set(["user", ...keep]);
  const traffic = new Map<string, { type: string; requests: number }>();
  const add = (name: string, type: string, requests: number) => {
    const t = traffic.get(name);
    if (t) t.requests += requests;
    else traffic.set(name, { type, requests });
  };
  for (const [name, n] of nodes) add(name, n.type, n.requests);
  for (const e of edges) {
    add(e.source, e.sourceType, e.requests);
    add(e.target, e.targetType, e.requests);
  }

  const renamed = new Map<string, string>();
  const nodesByType: Record<string, number> = {};
  let foldedNodes = 0;
  if (traffic.size > limits.maxNodes) {
    const first = (name: string) => (kept.has(name) ? 0 : 1);
    const ranked = [...traffic.entries()].sort(
      ([a, x], [b, y]) => first(a) - first(b) || y.requests - x.requests || (a < b ? -1 : 1),
    );
    // Room for the "other" nodes themselves (one per type folded), so the result stays within the limit.
    const typesFrom = (count: number) => new Set(ranked.slice(count).map(([, t]) => t.type)).size;
    let keptNodes = limits.maxNodes - 1;
    while (keptNodes > 1 && keptNodes + typesFrom(keptNodes) > limits.maxNodes) keptNodes--;
    for (const [name, t] of ranked.slice(keptNodes)) {
      renamed.set(name, otherNodeId(t.type));
      nodesByType[t.type] = (nodesByType[t.type] ?? 0) + 1;
      foldedNodes++;
    }
  }
  const node = (name: string) => renamed.get(name) ?? name;

  const ends = edges.map((e) => ({ source: node(e.source), target: node(e.target) }));
  const merged = () => {
    const m = new Map<string, { requests: number; members: number[] }>();
    edges.forEach((e, i) => {
      const k = keyOf(ends[i]!.source, ends[i]!.target, e.connectionType);
      const g = m.get(k);
      if (g) {
        g.requests += e.requests;
        g.members.push(i);
      } else m.set(k, { requests: e.requests, members: [i] });
    });
    return m;
  };
  let groups = merged();
  for (const side of ["target", "source"] as const) {
    // Folded edges merge into "other" edges, which take room too: fold more until the merged graph fits.
    let keptEdges = limits.maxEdges;
    for (let done = false; groups.size > limits.maxEdges && !done; ) {
      done = keptEdges === 0; // everything on this side folded: the next side (or nothing) goes on
      const ranked = [...groups.entries()].sort(([a, x], [b, y]) => y.requests - x.requests || (a < b ? -1 : 1));
      for (const [, g] of ranked.slice(keptEdges))
        for (const i of g.members) {
          const type = side === "target" ? edges[i]!.targetType : edges[i]!.sourceType;
          ends[i]![side] = otherNodeId(type);
        }
      groups = merged();
      keptEdges = Math.max(0, keptEdges - Math.max(1, groups.size - limits.maxEdges));
    }
  }
  const foldedEdges = edges.length - groups.size;
  const report =
    foldedNodes > 0 || groups.size < edges.length
      ? { limits, nodesByType, nodes: foldedNodes, edges: foldedEdges }
      : null;
  return { node, ends: (i) => ends[i]!, report };
}
