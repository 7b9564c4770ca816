// Pure transforms of a graph for display: focus (k hops), filters, search matches.
export interface ViewNode {
  id: string;
  type: string;
}
export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  ratePerSec: number;
  errors: number;
}

/** The nodes within `hops` calls up- or downstream of `focus`, and the edges among them. */
export function focusSubgraph<N extends ViewNode, E extends ViewEdge>(
  nodes: N[],
  edges: E[],
  focus: string,
  hops: number,
): { nodes: N[]; edges: E[] } {
  const keep = new Set([focus]);
  let frontierDown = new Set([focus]);
  let frontierUp = new Set([focus]);
  for (let i = 0; i < hops; i++) {
    const down = new Set<string>();
    const up = new Set<string>();
    for (const e of edges) {
      if (frontierDown.has(e.source) && !keep.has(e.target)) down.add(e.target);
      if (frontierUp.has(e.target) && !keep.has(e.source)) up.add(e.source);
    }
    for (const n of [...down, ...up]) keep.add(n);
    frontierDown = down;
    frontierUp = up;
  }
  // Only edges along the up/down paths: callers' other callees stay out.
  return {
    nodes: nodes.filter((n) => keep.has(n.id)),
    edges: edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}

export interface Filters {
  hideVirtual: boolean;
  hideUnknown: boolean;
  hideIdle: boolean;
  errorsOnly: boolean;
  minRate: number;
}

const VIRTUAL = new Set(["database", "messaging", "external", "unknown"]);

export function applyFilters<N extends ViewNode, E extends ViewEdge>(
  nodes: N[],
  edges: E[],
  f: Filters,
): { nodes: N[]; edges: E[] } {
  const hidden = new Set(
    nodes
      .filter((n) => (f.hideVirtual && VIRTUAL.has(n.type)) || (f.hideUnknown && n.type === "unknown"))
      .map((n) => n.id),
  );
  const keptEdges = edges.filter(
    (e) =>
      !hidden.has(e.source) &&
      !hidden.has(e.target) &&
      e.ratePerSec >= f.minRate &&
      (!f.errorsOnly || e.errors > 0) &&
      (!f.hideIdle || e.ratePerSec > 0),
  );
  const filtering = f.errorsOnly || f.minRate > 0 || f.hideIdle;
  const connected = new Set(keptEdges.flatMap((e) => [e.source, e.target]));
  // With traffic filters on, nodes left without any edge go too (idle); otherwise every visible node stays.
  return { nodes: nodes.filter((n) => !hidden.has(n.id) && (!filtering || connected.has(n.id))), edges: keptEdges };
}

/** Case-insensitive substring matches on node names. */
export function searchMatches(nodes: ViewNode[], query: string): Set<string> {
  const q = query.trim().toLowerCase();
  return new Set(q ? nodes.filter((n) => n.id.toLowerCase().includes(q)).map((n) => n.id) : []);
}
