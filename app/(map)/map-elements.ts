// What cytoscape is given for a map: the stylesheet, and the graph as elements (classes, labels, routes).
import type cytoscape from "cytoscape";
import type { ElementDefinition } from "cytoscape";
import type { Graph } from "@/lib/query/graph";
import type { LabelMode, LatencySide } from "@/app/(map)/url";
import type { Point } from "@/app/components/layout";
import { groupId } from "@/app/(map)/namespaces";
import { formatDiff } from "@/lib/domain/compare";
import { NO_ENVIRONMENT } from "@/lib/model/window";
import {
  curvedEdges,
  DEPLOY_RING,
  edgeLabel,
  formatMs,
  formatPercent,
  formatRate,
  HEALTH,
  healthOf,
  NODE_ICONS,
  NODE_SHAPES,
  type Health,
} from "@/app/components/map-style";
import { edgeLook, type LayerEdge } from "@/app/(map)/edge-geometry";
import { segmentsFor, type ElkResult } from "@/app/components/elk-layout";

/**
 * Zoomed out to fit a map, labels grow (up to twice their size) so they stay readable on screen: the map is laid out
 * with room for that. Quarter steps, so zooming restyles the map only now and then.
 */
export function labelScaleFor(zoom: number): number {
  return Math.min(2, Math.max(1, Math.ceil(4 / zoom) / 4));
}

/** More edges than this and only the busiest, the unhealthy and the changed ones are labelled. */
export const CROWDED_EDGES = 60;
const BUSIEST_LABELLED = 30;

/** The edges that carry their figures as labels: all of them, or on a crowded map the ones that matter now. */
export function edgeLabelIds(edges: Graph["edges"]): Set<string> {
  if (edges.length <= CROWDED_EDGES) return new Set(edges.map((e) => e.id));
  const busiest = [...edges].sort((a, b) => b.ratePerSec - a.ratePerSec).slice(0, BUSIEST_LABELLED);
  const notable = edges.filter(
    (e) => (e.health && e.health !== "ok" && e.health !== "idle") || (e.diff && e.diff.status !== "same"),
  );
  return new Set([...busiest, ...notable].map((e) => e.id));
}

export interface ElementsInput {
  graph: Pick<Graph, "nodes" | "edges">;
  labels: LabelMode;
  side: LatencySide;
  groups: boolean;
}

const VIRTUAL_TYPES = new Set(["database", "messaging", "external", "unknown"]);

export interface Theme {
  muted: string;
  bg: string;
}

export const styleFor = (t: Theme, labelScale = 1): cytoscape.StylesheetJson => [
  // Every property is applied to every element it matches, checks and all: the label properties sit with the
  // labels (`labeled`, attached from LABEL_ZOOM), so a zoomed-out map of thousands of elements applies few.
  { selector: "node", style: { shape: "ellipse", "border-color": "#333", "border-width": 2, width: 38, height: 38 } },
  // Colours, shapes, widths and dashes come from classes with fixed values rather than data() mappers: cytoscape
  // shares one computed style among the elements with the same classes, where a mapper is evaluated per element.
  ...Object.entries(NODE_SHAPES).map(([type, shape]) => ({
    selector: `node.type-${type}`,
    style: { shape: shape as never },
  })),
  ...Object.entries(NODE_ICONS).map(([type, image]) => ({
    selector: `node.type-${type}`,
    style: { "background-image": image, "background-width": "60%", "background-height": "60%" } as never,
  })),
  ...HEALTH_NAMES.map((h) => ({
    selector: `node.health-${h}`,
    style: { "background-color": HEALTH[h].color, "border-style": HEALTH[h].border as never },
  })),
  {
    selector: "node.labeled",
    style: {
      label: "data(label)",
      "text-wrap": "wrap",
      "text-valign": "bottom",
      "text-margin-y": 6,
      // 12 px, on a plate: readable over edges and the grid.
      "font-size": 12 * labelScale,
      "text-background-color": t.bg,
      "text-background-opacity": 0.85,
      "text-background-padding": "1",
      color: t.muted,
      // Level of detail: labels too small to read are not drawn (big maps stay fast; zoom in to read).
      "min-zoomed-font-size": 6,
    },
  },
  {
    selector: "node:parent",
    style: {
      shape: "round-rectangle",
      "background-color": "#88CCEE",
      "background-opacity": 0.12,
      "border-style": "dashed",
      "border-color": "#33BBEE",
      "border-width": 2,
      "text-valign": "top",
      "text-halign": "center",
      "font-size": 12,
      color: "#33BBEE",
      padding: "18px",
      label: "data(label)",
      "min-zoomed-font-size": 6,
    },
  },
  {
    selector: 'node[type = "group"]',
    style: { width: 70, height: 46, "border-width": 4, "border-style": "double", "font-size": 12 },
  },
  {
    selector: "node.deployed",
    style: {
      "outline-color": DEPLOY_RING.color,
      "outline-width": DEPLOY_RING.width,
      "outline-offset": DEPLOY_RING.offset,
    } as never,
  },
  // The ring inside a node's border (as Grafana's node graph): thicker the busier the node is on this map, with an
  // arc in the failing colour for its share of failed requests, clockwise from twelve o'clock.
  ...TRAFFIC_RING_HOLES.map((hole, i) => ({
    selector: `node.traffic-${i + 1}`,
    style: {
      "pie-size": "100%",
      "pie-hole": `${hole}%`,
      "pie-1-background-color": ERROR_ARC,
      "pie-1-background-size": 0,
      "pie-2-background-color": "#FFFFFF",
      "pie-2-background-opacity": 0.7,
      "pie-2-background-size": 100,
    } as never,
  })),
  ...Array.from({ length: ERROR_STEPS }, (_, k) => ({
    selector: `node.err-${k + 1}`,
    style: {
      "pie-1-background-size": Math.round(((k + 1) * 100) / ERROR_STEPS),
      "pie-2-background-size": 100 - Math.round(((k + 1) * 100) / ERROR_STEPS),
    } as never,
  })),
  { selector: "node[quality > 0]", style: { "border-color": "#AA3377", "border-width": 4 } },
  { selector: "node.match", style: { "border-color": "#009988", "border-width": 5 } },
  { selector: "node.dim, edge.dim", style: { opacity: 0.25 } },
  { selector: "node:selected", style: { "overlay-color": "#009988", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  // Zoomed out (no labels), edges are plain lines: cytoscape's cheapest kind, with no arrow or curve geometry to
  // compute. Direction still reads from the layout (callers left of callees); arrows come with the labels.
  { selector: "edge", style: { "curve-style": "haystack", "haystack-radius": 0 } },
  ...HEALTH_NAMES.map((h) => ({
    selector: `edge.health-${h}`,
    style: { "line-color": HEALTH[h].color, "target-arrow-color": HEALTH[h].color },
  })),
  ...EDGE_WIDTHS.map((w) => ({ selector: `edge.width-${w}`, style: { width: w } })),
  { selector: "edge.to-virtual", style: { "line-style": "dashed" } },
  {
    selector: "edge.labeled",
    style: {
      label: "data(label)",
      "curve-style": "straight",
      "target-arrow-shape": "triangle",
      "font-size": 11 * labelScale,
      color: t.muted,
      "text-background-color": t.bg,
      "text-background-opacity": 0.8,
      "text-background-padding": "2",
      "min-zoomed-font-size": 7,
    },
  },
  { selector: "edge.curved.labeled", style: { "curve-style": "bezier" } },
  // Routed by ELK around the nodes in its way (at every zoom: haystack lines cannot bend).
  {
    selector: "edge.routed",
    style: {
      "curve-style": "segments",
      "segment-weights": "data(segmentWeights)",
      "segment-distances": "data(segmentDistances)",
      "edge-distances": "node-position",
    } as never,
  },
  // Haystack lines cannot loop.
  { selector: "edge:loop", style: { "curve-style": "bezier", "loop-direction": "-45deg", "loop-sweep": "-60deg" } },
  // On a crowded map only some edges carry their figures (see edgeLabelIds); a selected one always does.
  { selector: "edge.labeled:selected", style: { label: "data(fullLabel)" } },
  { selector: "node.labeled:selected", style: { label: "data(fullLabel)" } },
  { selector: "edge:selected", style: { "overlay-color": "#009988", "overlay-opacity": 0.3, "overlay-padding": 4 } },
  // Compare mode: new elements get a heavy teal outline, gone ones are grey and dotted.
  { selector: "node.added", style: { "border-color": "#009988", "border-width": 6 } },
  {
    selector: "edge.added",
    style: { "underlay-color": "#009988", "underlay-opacity": 0.35, "underlay-padding": 3 } as never,
  },
  { selector: "node.removed", style: { "background-color": "#DDDDDD", "border-style": "dotted", opacity: 0.6 } },
  {
    selector: "edge.removed",
    style: { "line-color": "#BBBBBB", "target-arrow-color": "#BBBBBB", "line-style": "dotted", opacity: 0.7 },
  },
];

const HEALTH_NAMES = Object.keys(HEALTH) as Health[];
/** Whole pixels: edgeWidth's 1..10 rounded, one class each. */
const EDGE_WIDTHS = Array.from({ length: 10 }, (_, i) => i + 1);

/** The ring's hole, in % of the node, for quiet, busy and busiest nodes: a busier node has a thicker ring. */
export const TRAFFIC_RING_HOLES = [86, 76, 64] as const;
/** The error arc's colour: the failing red, darkened to stand out on a red (failing) node too. */
export const ERROR_ARC = "#7A1E0A";
/** Error shares are drawn in steps of 1/ERROR_STEPS (classes, not per-node mappers). */
const ERROR_STEPS = 20;

/**
 * The ring's classes for a node: its traffic step against the busiest node on the map (in decades: within a third
 * of the busiest one's rate is "busiest", within a thirtieth "busy") and its error share, rounded up so any failure
 * shows.
 */
export function ringClasses(ratePerSec: number, maxRate: number, errorRate: number): string[] {
  if (!(ratePerSec > 0) || !(maxRate > 0)) return [];
  const share = ratePerSec / maxRate;
  const step = share >= 1 / 3 ? 3 : share >= 1 / 30 ? 2 : 1;
  const err = errorRate > 0 ? Math.min(ERROR_STEPS, Math.ceil(errorRate * ERROR_STEPS)) : 0;
  return [`traffic-${step}`, ...(err > 0 ? [`err-${err}`] : [])];
}

/**
 * A node's figures under its name, for the label mode: the mode's metric and the error share (short, so labels of
 * neighbouring layers do not run into each other; the panel and a selected node show all).
 */
export function nodeFigures(
  n: { ratePerSec: number; errorRate: number; p50: number | null; p95: number | null; p99: number | null },
  mode: LabelMode,
): string {
  switch (mode) {
    case "none":
      return "";
    case "errors":
      return `${formatPercent(n.errorRate)} errors`;
    case "rate":
      return `${formatRate(n.ratePerSec)} · ${formatPercent(n.errorRate)}`;
    default:
      return `${mode} ${formatMs(n[mode])} · ${formatPercent(n.errorRate)}`;
  }
}

const classList = (...names: (string | false | null | undefined)[]) => names.filter(Boolean).join(" ");

export interface Elements {
  /** Nodes, namespace boxes first. */
  nodes: ElementDefinition[];
  edges: ElementDefinition[];
  /** The edges as the edge layer draws them, in the same order. */
  layerEdges: LayerEdge[];
}

/** Which delta compare mode shows: the one the labels show (latency labels get the p95 delta, the one kept). */
const diffKindOf = (labels: LabelMode) => (labels === "rate" ? "rate" : labels === "errors" ? "errors" : "p95");

export function elementsOf(p: ElementsInput, labeled: boolean, segments: Map<string, Segments>): Elements {
  const diffKind = diffKindOf(p.labels);
  const maxRate = Math.max(0, ...p.graph.nodes.map((n) => n.ratePerSec));
  const nodes: ElementDefinition[] = p.graph.nodes.map((n) => {
    const health = healthOf(n.requests, n.errorRate, n.health);
    const q = n.quality;
    const quality = q.orphanSpans + q.unpairedClientSpans + q.unpairedServerSpans + (q.suspectedBrokenContext ? 1 : 0);
    const deploy = n.deploys?.at(-1);
    const badge = `${quality > 0 ? " ⚠" : ""}${deploy ? ` ⬆${deploy.version}` : ""}`;
    const all = `${formatRate(n.ratePerSec)} · ${formatPercent(n.errorRate)} · p95 ${formatMs(n.p95)}`;
    const figures = n.requests > 0 ? nodeFigures(n, p.labels) : "";
    const diff = n.diff ? formatDiff(n.diff, diffKind) : "";
    const change = diff ? `\nΔ ${n.diff?.status === "same" ? `${diffKind} ` : ""}${diff}` : "";
    const envs = n.envs ? ` [${n.envs.map((e) => e || NO_ENVIRONMENT).join(", ")}]` : "";
    const head = `${n.name}${envs}${badge}`;
    return {
      group: "nodes",
      classes: classList(
        `health-${health}`,
        n.type in NODE_SHAPES && `type-${n.type}`,
        n.diff && n.diff.status !== "same" && n.diff.status,
        deploy && "deployed",
        ...ringClasses(n.ratePerSec, maxRate, n.errorRate),
        labeled && "labeled",
      ),
      data: {
        id: n.id,
        label: `${head}${figures ? `\n${figures}` : ""}${change}`,
        // Selected, a node shows all its figures whatever the label mode.
        fullLabel: `${head}${n.requests > 0 ? `\n${all}` : ""}${change}`,
        type: n.type,
        quality,
      },
    };
  });
  const virtual = new Set(p.graph.nodes.filter((n) => VIRTUAL_TYPES.has(n.type)).map((n) => n.id));
  const curved = curvedEdges(p.graph.edges);
  const withLabel = edgeLabelIds(p.graph.edges);
  const layerEdges: LayerEdge[] = p.graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    look: edgeLook(e, virtual),
  }));
  const edges: ElementDefinition[] = p.graph.edges.map((e, i) => {
    const route = curved.has(e.id) ? undefined : segments.get(e.id);
    const fullLabel = [
      edgeLabel(e, p.labels, p.side),
      e.diff && p.labels !== "none" ? `(${formatDiff(e.diff, diffKind)})` : "",
    ]
      .filter(Boolean)
      .join(" ");
    return {
      group: "edges",
      classes: classList(
        `health-${layerEdges[i]!.look.health}`,
        `width-${layerEdges[i]!.look.width}`,
        layerEdges[i]!.look.toVirtual && "to-virtual",
        curved.has(e.id) && "curved",
        route && "routed",
        layerEdges[i]!.look.change,
        labeled && "labeled",
      ),
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        fullLabel,
        label: withLabel.has(e.id) ? fullLabel : "",
        ...(route && { segmentWeights: route.weights, segmentDistances: route.distances }),
      },
    };
  });
  if (!p.groups) return { nodes, edges, layerEdges };
  // Namespace boxes: compound parents, added before their members.
  const parents = new Map<string, ElementDefinition>();
  p.graph.nodes.forEach((n, i) => {
    if (!n.namespace || n.type === "group") return;
    const id = groupId(n.namespace);
    parents.set(id, { group: "nodes", data: { id, label: `${n.namespace} (click to collapse)`, isGroup: true } });
    nodes[i]!.data.parent = id; // `nodes` was built from graph.nodes in the same order
  });
  return { nodes: [...parents.values(), ...nodes], edges, layerEdges };
}

/** Label colours from the page's CSS variables, so the map follows dark mode. */
export function themeOf(el: HTMLElement | null): Theme {
  const css = el ? getComputedStyle(el) : null;
  return {
    muted: css?.getPropertyValue("--muted").trim() || "#5b6470",
    bg: css?.getPropertyValue("--bg").trim() || "#ffffff",
  };
}

/** An ELK route: its bends, and where its ends were when it was routed. */
export interface Route {
  bends: Point[];
  source: Point;
  target: Point;
}

export interface Segments {
  weights: number[];
  distances: number[];
}

export function routesFrom(
  elk: ElkResult,
  edges: { id: string; source: string; target: string }[],
): Map<string, Route> {
  const out = new Map<string, Route>();
  for (const e of edges) {
    const bends = elk.routes.get(e.id);
    const source = elk.positions.get(e.source);
    const target = elk.positions.get(e.target);
    if (bends && source && target) out.set(e.id, { bends, source, target });
  }
  return out;
}

const samePoint = (a: Point | undefined, b: Point) => a !== undefined && a.x === b.x && a.y === b.y;

/** The routes that still fit: both ends where they were routed (a pinned or new position makes the edge straight). */
export function validSegments(
  routes: Map<string, Route>,
  positions: Map<string, Point>,
  edges: { id: string; source: string; target: string }[],
): Map<string, Segments> {
  const out = new Map<string, Segments>();
  for (const e of edges) {
    const r = routes.get(e.id);
    const s = positions.get(e.source);
    const t = positions.get(e.target);
    if (r && s && t && samePoint(s, r.source) && samePoint(t, r.target)) out.set(e.id, segmentsFor(s, t, r.bends));
  }
  return out;
}
