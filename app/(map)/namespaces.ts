// Collapsing service.namespace groups into single nodes (pure; the map and its table show the result).
import type { GraphEdge, GraphNode } from "@/lib/domain/graph-model";

export const groupId = (namespace: string) => `ns:${namespace}`;
const NO_PERCENTILES = { p50: null, p95: null, p99: null };

/**
 * Replaces the members of each collapsed namespace by one node and merges the edges that now join the same two
 * nodes. Counts add up exactly; percentiles of merged elements are unknown (null) rather than guessed.
 */
export function collapseNamespaces<N extends GraphNode, E extends GraphEdge>(
  nodes: N[],
  edges: E[],
  collapsed: Set<string>,
): { nodes: N[]; edges: E[] } {
  if (collapsed.size === 0) return { nodes, edges };
  const mapped = new Map<string, string>();
  const groups = new Map<string, N>();
  const kept: N[] = [];
  for (const n of nodes) {
    if (!n.namespace || !collapsed.has(n.namespace)) {
      kept.push(n);
      continue;
    }
    const id = groupId(n.namespace);
    mapped.set(n.id, id);
    const g = groups.get(id);
    if (!g) {
      groups.set(id, { ...n, id, name: n.namespace, type: "group", quality: { ...n.quality } });
      continue;
    }
    g.requests += n.requests;
    g.errors += n.errors;
    g.rawSpans += n.rawSpans;
    g.ratePerSec += n.ratePerSec;
    Object.assign(g, NO_PERCENTILES);
    g.quality.orphanSpans += n.quality.orphanSpans;
    g.quality.unpairedClientSpans += n.quality.unpairedClientSpans;
    g.quality.unpairedServerSpans += n.quality.unpairedServerSpans;
    g.quality.rootServerSpans += n.quality.rootServerSpans;
    g.quality.suspectedBrokenContext ||= n.quality.suspectedBrokenContext;
  }
  for (const g of groups.values()) g.errorRate = g.requests > 0 ? g.errors / g.requests : 0;

  const merged = new Map<string, E>();
  for (const e of edges) {
    const source = mapped.get(e.source) ?? e.source;
    const target = mapped.get(e.target) ?? e.target;
    if (source === e.source && target === e.target) {
      merged.set(e.id, e);
      continue;
    }
    const id = `${source}->${target}${e.connectionType === "rpc" ? "" : `:${e.connectionType}`}`;
    const m = merged.get(id);
    if (!m) {
      merged.set(id, { ...e, id, source, target });
      continue;
    }
    m.requests += e.requests;
    m.errors += e.errors;
    m.status4xx += e.status4xx;
    m.throttled += e.throttled;
    m.rawSpans += e.rawSpans;
    m.ratePerSec += e.ratePerSec;
    m.errorRate = m.requests > 0 ? m.errors / m.requests : 0;
    m.client = NO_PERCENTILES;
    m.server = NO_PERCENTILES;
    m.broker ??= e.broker;
  }
  return { nodes: [...kept, ...groups.values()], edges: [...merged.values()] };
}
