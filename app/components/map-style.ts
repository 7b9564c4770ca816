import type { GraphEdge, GraphNode } from "@/lib/domain/graph-model";
import type { Health as RuleHealth } from "@/lib/domain/health";
// How figures become colours, widths and labels on the map (pure, shared by graph and table).
import type { LabelMode, LatencySide } from "@/app/(map)/url";

// Paul Tol's colour-blind-safe "bright"/"vibrant" colours; health is also told by border style and text.
export const HEALTH = {
  ok: { color: "#0077BB", border: "solid", label: "healthy" },
  degraded: { color: "#EE7733", border: "dashed", label: "degraded" },
  slow: { color: "#EE7733", border: "dashed", label: "slow" },
  failing: { color: "#CC3311", border: "double", label: "failing" },
  idle: { color: "#BBBBBB", border: "dotted", label: "no traffic" },
} as const;
export type Health = keyof typeof HEALTH;

/** A node that started a new service.version in the window: a ring outside its border (and a ⬆ badge by its name). */
export const DEPLOY_RING = { color: "#33BBEE", width: 3, offset: 3 } as const;

/**
 * How an element is drawn: from its health state (lib/domain/health.ts: the last two settled minutes against its
 * baseline, so a latency incident shows) when the graph carries one, else from its errors over the window.
 */
export function healthOf(requests: number, errorRate: number, state?: RuleHealth): Health {
  if (state) return state === "new" ? "ok" : state;
  if (requests <= 0) return "idle";
  if (errorRate >= 0.05) return "failing";
  if (errorRate >= 0.01) return "degraded";
  return "ok";
}

export const NODE_SHAPES: Record<string, string> = {
  service: "round-rectangle",
  group: "round-rectangle",
  database: "barrel",
  messaging: "rhomboid",
  external: "hexagon",
  user: "ellipse",
  unknown: "octagon",
};

const icon = (paths: string) =>
  `data:image/svg+xml;utf8,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 24 24" fill="none" stroke="white" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`,
  )}`;

/** A white icon inside each kind of node, on top of its shape: a cylinder for databases, a cloud for external APIs. */
export const NODE_ICONS: Record<string, string> = {
  database: icon(
    '<ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5"/><path d="M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>',
  ),
  messaging: icon('<rect x="3" y="6" width="18" height="12" rx="2"/><path d="M7 10h10M7 14h6"/>'),
  external: icon('<path d="M7 18h10a4 4 0 0 0 .5-8 6 6 0 0 0-11.5 2A3 3 0 0 0 7 18z"/>'),
  user: icon('<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>'),
  unknown: icon('<path d="M9 9a3 3 0 1 1 4 2.8c-.8.4-1 1-1 2.2"/><path d="M12 18h.01"/>'),
};

/** Edge width 1..10 px by request rate on a log scale. */
export function edgeWidth(ratePerSec: number): number {
  if (ratePerSec <= 0) return 1;
  return Math.min(10, Math.max(1, 2 + 1.6 * Math.log10(ratePerSec * 100)));
}

export function formatRate(r: number): string {
  if (r === 0) return "0/s";
  if (r < 0.01) return `${(r * 60).toFixed(2)}/min`;
  return r < 10 ? `${r.toFixed(2)}/s` : `${Math.round(r)}/s`;
}
export const formatPercent = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 2 : 1)}%`;
export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** What an edge label reads of an edge. */
export type EdgeFigures = Pick<GraphEdge, "ratePerSec" | "errorRate" | "client" | "server">;

export function edgeLabel(e: EdgeFigures, mode: LabelMode, side: LatencySide): string {
  switch (mode) {
    case "rate":
      return formatRate(e.ratePerSec);
    case "errors":
      return formatPercent(e.errorRate);
    case "none":
      return "";
    default: {
      // A virtual edge has only one side measured: fall back to it.
      const figures = e[side][mode] !== null ? e[side] : e[side === "client" ? "server" : "client"];
      return `${mode} ${formatMs(figures[mode])}`;
    }
  }
}

/** A node's data-quality findings as one sentence; empty when there are none. */
export function qualityText(q: GraphNode["quality"]): string {
  const parts: string[] = [];
  if (q.suspectedBrokenContext)
    parts.push(
      `${q.rootServerSpans} requests arrived without trace context although other services call it (a caller may drop traceparent)`,
    );
  if (q.orphanSpans) parts.push(`${q.orphanSpans} spans whose parent never arrived`);
  if (q.unpairedServerSpans) parts.push(`${q.unpairedServerSpans} server spans without a matching client span`);
  if (q.unpairedClientSpans)
    parts.push(`${q.unpairedClientSpans} calls to a peer with no name (no server span and no peer attributes)`);
  return parts.join("; ");
}

/**
 * Edges that need a curve: loops, and edges whose two nodes another edge also joins (either way round), which a
 * straight line would draw on top of each other. Every other edge is drawn straight, which cytoscape lays out far
 * more cheaply than its bundled beziers (it looks for parallel edges among each node's edges, per edge).
 */
export function curvedEdges(edges: { id: string; source: string; target: string }[]): Set<string> {
  const pairKey = (e: { source: string; target: string }) =>
    e.source < e.target ? `${e.source}\n${e.target}` : `${e.target}\n${e.source}`;
  const count = new Map<string, number>();
  for (const e of edges) {
    const key = pairKey(e);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  return new Set(edges.filter((e) => e.source === e.target || count.get(pairKey(e))! > 1).map((e) => e.id));
}

/**
 * Below this zoom cytoscape would not draw the labels anyway (font sizes 9 to 12 against min-zoomed-font-size 6
 * and 7), but it still measures every one; big maps open zoomed out, so labels are attached only from here on.
 */
export const LABEL_ZOOM = 0.5;
