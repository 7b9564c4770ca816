// The zoomed-out map's edges as plain strokes (pure: what to draw and what a click hits; the canvas is elsewhere).
import { edgeWidth, HEALTH, healthOf, type Health } from "@/app/components/map-style";
import type { GraphEdge } from "@/lib/domain/graph-model";
import type { Point } from "@/app/components/layout";

/**
 * From this many edges the zoomed-out map draws its edges itself instead of through cytoscape. cytoscape styles,
 * measures and draws every element one by one (~0.3 ms each on a 2-core box: 3,146 edges cost about a second before
 * the first frame); as strokes grouped by look they take ~25 ms. They go into cytoscape once labels and arrows are
 * wanted (zoomed in to LABEL_ZOOM) or for a PNG export.
 */
export const EDGE_LAYER_MIN_EDGES = 400;

/** What tells edges apart on the map, read by both cytoscape's classes and the edge layer. */
export interface EdgeLook {
  health: Health;
  /** Whole pixels, 1..10, in model units (cytoscape scales them with the zoom). */
  width: number;
  toVirtual: boolean;
  change: "added" | "removed" | null;
}

export function edgeLook(
  e: Pick<GraphEdge, "requests" | "errorRate" | "ratePerSec" | "target" | "diff" | "health">,
  virtualNodes: ReadonlySet<string>,
): EdgeLook {
  const status = e.diff?.status;
  return {
    health: healthOf(e.requests, e.errorRate, e.health),
    width: Math.round(edgeWidth(e.ratePerSec)),
    toVirtual: virtualNodes.has(e.target),
    change: status === "added" || status === "removed" ? status : null,
  };
}

export interface LayerEdge {
  id: string;
  source: string;
  target: string;
  look: EdgeLook;
}

export interface Stroke {
  color: string;
  width: number;
  alpha: number;
  dash: number[];
}

const TEAL = "#009988";
const GONE = "#BBBBBB";
// cytoscape's own patterns for `line-style: dashed` and `dotted`.
const DASHED = [6, 3];
const DOTTED = [1, 2];

/** The stroke cytoscape's stylesheet gives this look (ServiceMap's `edge`, `edge.to-virtual`, `edge.removed`). */
export function strokeOf(look: EdgeLook): Stroke {
  if (look.change === "removed") return { color: GONE, width: look.width, alpha: 0.7, dash: DOTTED };
  return { color: HEALTH[look.health].color, width: look.width, alpha: 1, dash: look.toVirtual ? DASHED : [] };
}

/** Strokes under the line: the teal underlay of a new edge (compare mode) and the overlay of the selected one. */
export function underlaysOf(look: EdgeLook, selected: boolean): Stroke[] {
  const out: Stroke[] = [];
  if (look.change === "added") out.push({ color: TEAL, width: look.width + 6, alpha: 0.35, dash: [] });
  if (selected) out.push({ color: TEAL, width: look.width + 8, alpha: 0.3, dash: [] });
  return out;
}

/** While a search narrows the map (`matches` not empty), an edge touching none of the nodes found is dimmed. */
export const outsideSearch = (matches: ReadonlySet<string>, source: string, target: string) =>
  matches.size > 0 && !matches.has(source) && !matches.has(target);

const strokeKey = (s: Stroke) => `${s.color}|${s.width}|${s.alpha}|${s.dash.join(",")}`;

/** Edges grouped by stroke, so a canvas sets its style once per group rather than once per edge. */
export function groupByStroke<T>(
  items: Iterable<T>,
  strokesOf: (item: T) => Stroke[],
): Map<string, { stroke: Stroke; items: T[] }> {
  const groups = new Map<string, { stroke: Stroke; items: T[] }>();
  for (const item of items) {
    for (const stroke of strokesOf(item)) {
      const key = strokeKey(stroke);
      const group = groups.get(key);
      if (group) group.items.push(item);
      else groups.set(key, { stroke, items: [item] });
    }
  }
  return groups;
}

/** A self-call is drawn as a small circle up and to the left of its node (cytoscape's loop direction, -45deg). */
export const LOOP_RADIUS = 14;
export const loopCentre = (p: Point): Point => ({ x: p.x - LOOP_RADIUS, y: p.y - LOOP_RADIUS });

/** Distance from p to the segment a-b. */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * The edge a click at p (model coordinates) hits: the nearest one whose stroke, widened by `tolerance` on each
 * side, covers p; null when none does. Later edges win ties, as they are drawn on top.
 */
export function edgeAt(
  edges: readonly LayerEdge[],
  position: (id: string) => Point | undefined,
  p: Point,
  tolerance: number,
): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const e of edges) {
    const a = position(e.source);
    const b = position(e.target);
    if (!a || !b) continue;
    const d =
      e.source === e.target
        ? Math.abs(Math.hypot(p.x - loopCentre(a).x, p.y - loopCentre(a).y) - LOOP_RADIUS)
        : distanceToSegment(p, a, b);
    if (d <= e.look.width / 2 + tolerance && d <= bestDistance) {
      best = e.id;
      bestDistance = d;
    }
  }
  return best;
}
