// The map's layered layout by ELK (Eclipse Layout Kernel): graph in, node centres and edge routes out. Pure: the
// caller runs ELK (a web worker in the browser, the library itself in tests and the bench).
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { Point } from "./layout";

/**
 * Maps up to this size get ELK's layout (labels readable at the default fit, edges routed around nodes). Bigger
 * ones keep the hand-rolled layout: ELK's boxes with room for labels would spread them so wide that the fitted map
 * is a speck, and they open zoomed out without labels anyway, where routing matters least.
 */
export const ELK_MAX_NODES = 60;
export const ELK_MAX_EDGES = 250;

export const laidOutByElk = (nodes: number, edges: number) =>
  nodes > 0 && nodes <= ELK_MAX_NODES && edges <= ELK_MAX_EDGES;

/** The room a node takes: its shape on top, its label (up to three lines, up to ~140 px wide) below. */
export const NODE_BOX = { width: 140, height: 80, shapeCentre: 19 } as const;

export interface LayoutNode {
  id: string;
  /** Characters in the longest line of its label: a long name gets a wider box, so it does not reach its neighbours. */
  labelChars?: number;
  /** A namespace box the node sits in (grouped maps): members are laid out together, inside it. */
  parent?: string | null;
}

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}

export interface ElkResult {
  positions: Map<string, Point>;
  /** Bend points of edges routed around nodes, in map coordinates; edges without bends are absent. */
  routes: Map<string, Point[]>;
}

/**
 * A node box's width for a label of `chars` characters: room for it at 1.5 times its size (labels grow when the
 * fitted map is zoomed out, see labelScaleFor), less what it may take of the gaps between layers on each side.
 */
export const boxWidth = (chars: number) =>
  Math.max(NODE_BOX.width, Math.ceil(chars * LABEL_CHAR_PX * 1.5) - LABEL_SPILL_PX);
/** The average width of a character of a 12 px label, and how far a label may reach into the gaps beside its box. */
const LABEL_CHAR_PX = 7.2;
const LABEL_SPILL_PX = 80;

/** Gaps between node boxes, on the root and inside every namespace box (ELK does not pass them down). */
const SPACING = {
  "elk.layered.spacing.nodeNodeBetweenLayers": "100",
  "elk.spacing.nodeNode": "20",
  "elk.layered.spacing.edgeNodeBetweenLayers": "20",
  "elk.spacing.edgeNode": "20",
};

const ROOT_OPTIONS = {
  ...SPACING,
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "POLYLINE",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  // The input is sorted by id, and ELK keeps to it where it has a free choice: the same graph, the same picture.
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.randomSeed": "1",
  // Every edge's points in root coordinates, whatever box its ends sit in.
  "org.eclipse.elk.json.edgeCoords": "ROOT",
};

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The ELK graph for the map's nodes and edges (self-calls left out: they are drawn as loops on their node). */
export function elkGraph(nodes: LayoutNode[], edges: LayoutEdge[]): ElkNode {
  const ids = new Set(nodes.map((n) => n.id));
  const boxes = new Map<string, ElkNode>();
  const children: ElkNode[] = [];
  for (const n of [...nodes].sort(byId)) {
    const leaf: ElkNode = { id: n.id, width: boxWidth(n.labelChars ?? 0), height: NODE_BOX.height };
    if (!n.parent) {
      children.push(leaf);
      continue;
    }
    let box = boxes.get(n.parent);
    if (!box) {
      box = {
        id: n.parent,
        children: [],
        layoutOptions: { ...SPACING, "elk.padding": "[top=40,left=20,bottom=20,right=20]" },
      };
      boxes.set(n.parent, box);
      children.push(box);
    }
    box.children!.push(leaf);
  }
  const elkEdges: ElkExtendedEdge[] = edges
    .filter((e) => e.source !== e.target && ids.has(e.source) && ids.has(e.target))
    .sort(byId)
    .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return { id: "root", layoutOptions: ROOT_OPTIONS, children, edges: elkEdges };
}

/** Node centres (the shape's centre, above its label) and the edges' bend points from ELK's answer. */
export function fromElk(laidOut: ElkNode): ElkResult {
  const positions = new Map<string, Point>();
  const walk = (node: ElkNode, dx: number, dy: number) => {
    for (const c of node.children ?? []) {
      const x = dx + (c.x ?? 0);
      const y = dy + (c.y ?? 0);
      if (c.children && c.children.length > 0) walk(c, x, y);
      else positions.set(c.id, { x: x + (c.width ?? NODE_BOX.width) / 2, y: y + NODE_BOX.shapeCentre });
    }
  };
  walk(laidOut, 0, 0);
  const routes = new Map<string, Point[]>();
  // The bends are moved by the same offset as the nodes (ELK's ends sit on the box's middle, the shape at its top).
  const shift = NODE_BOX.height / 2 - NODE_BOX.shapeCentre;
  for (const e of (laidOut.edges ?? []) as ElkExtendedEdge[]) {
    const bends = (e.sections ?? []).flatMap((s) => s.bendPoints ?? []);
    if (bends.length > 0)
      routes.set(
        e.id,
        bends.map((p) => ({ x: p.x, y: p.y - shift })),
      );
  }
  return { positions, routes };
}

/**
 * A route as cytoscape's `segments` edge draws it (with `edge-distances: node-position`): each bend as a weight
 * along source -> target and a distance from that line, along the normal (-dy, dx) / length cytoscape uses.
 */
export function segmentsFor(source: Point, target: Point, bends: Point[]): { weights: number[]; distances: number[] } {
  const dx = target.x - source.x;
  const dy = target.y - source.y;
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return { weights: [], distances: [] };
  const length = Math.sqrt(length2);
  const weights: number[] = [];
  const distances: number[] = [];
  for (const p of bends) {
    const px = p.x - source.x;
    const py = p.y - source.y;
    weights.push((px * dx + py * dy) / length2);
    distances.push((px * -dy + py * dx) / length);
  }
  return { weights, distances };
}

/** How many edges (as drawn: straight, or along their bends) pass through a node that is not one of their ends. */
export function edgesThroughNodes(
  positions: Map<string, Point>,
  edges: LayoutEdge[],
  routes: Map<string, Point[]> = new Map(),
  radius = 20,
): number {
  let count = 0;
  for (const e of edges) {
    const a = positions.get(e.source);
    const b = positions.get(e.target);
    if (!a || !b || e.source === e.target) continue;
    const points = [a, ...(routes.get(e.id) ?? []), b];
    const hit = [...positions].some(
      ([id, p]) =>
        id !== e.source &&
        id !== e.target &&
        points.slice(1).some((q, i) => distanceToSegment(p, points[i]!, q) < radius),
    );
    if (hit) count++;
  }
  return count;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
