// Deterministic left-to-right layered layout that never moves nodes already on screen.
import { ascending } from "@/lib/domain/order";
export interface Point {
  x: number;
  y: number;
}

export const RANK_GAP = 240;
export const ROW_GAP = 100;
const SUBCOLUMN_GAP = 170;
const MIN_DISTANCE = 60;

/**
 * Rank = longest path from a caller-less node (cycles broken by a depth-first search in name order), so callers
 * sit left of callees. Within a rank, nodes follow their callers' order (barycenter), then name. The same graph
 * always gives the same positions.
 */
export function layeredPositions(nodeIds: string[], edges: { source: string; target: string }[]): Map<string, Point> {
  const ids = [...new Set(nodeIds)].sort();
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges)
    if (e.source !== e.target && out.has(e.source) && out.has(e.target)) out.get(e.source)!.push(e.target);
  for (const list of out.values()) list.sort();

  // Drop back edges found by DFS from sources first ("user" and other nodes nobody calls), then everything else.
  const incoming = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const list of out.values()) for (const t of list) incoming.set(t, incoming.get(t)! + 1);
  const starts = [...ids.filter((id) => incoming.get(id) === 0), ...ids];
  const state = new Map<string, 1 | 2>();
  const dag = new Map<string, string[]>(ids.map((id) => [id, []]));
  const visit = (root: string) => {
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      const next = out.get(node)![i];
      if (next === undefined) {
        state.set(node, 2);
        stack.pop();
        continue;
      }
      top[1]++;
      if (state.get(next) === 1) continue; // back edge: ignored for ranking
      dag.get(node)!.push(next);
      if (!state.has(next)) {
        state.set(next, 1);
        stack.push([next, 0]);
      }
    }
  };
  for (const s of starts) if (!state.has(s)) visit(s);

  // Longest-path ranks in topological order (Kahn, name order for ties).
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const list of dag.values()) for (const t of list) indeg.set(t, indeg.get(t)! + 1);
  const rank = new Map<string, number>(ids.map((id) => [id, 0]));
  // Kept sorted in descending order, so the smallest name is popped from the end (sorting it every step was the
  // slowest part of laying out 500 services in a page that has not warmed up its JIT yet).
  const queue = ids.filter((id) => indeg.get(id) === 0).reverse();
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  while (queue.length) {
    const n = queue.pop()!;
    for (const t of dag.get(n)!) {
      rank.set(t, Math.max(rank.get(t)!, rank.get(n)! + 1));
      preds.get(t)!.push(n);
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) queue.splice(descendingIndex(queue, t), 0, t);
    }
  }

  const layers: string[][] = [];
  for (const id of ids) (layers[rank.get(id)!] ??= []).push(id);
  // A tall layer wraps into sub-columns, so the whole map keeps a screen-like shape and stays legible when fit.
  const maxRows = Math.max(6, Math.ceil(Math.sqrt(ids.length) * 1.5));
  const order = new Map<string, number>();
  const positions = new Map<string, Point>();
  let x = 0;
  for (const layer of layers) {
    if (!layer) continue;
    // A node's predecessors are all in earlier layers, so its barycenter is fixed before this layer is ordered.
    const bary = new Map<string, number>();
    for (const id of layer) {
      let sum = 0;
      let count = 0;
      for (const p of preds.get(id)!) {
        const o = order.get(p);
        if (o !== undefined) (sum += o), count++;
      }
      bary.set(id, count ? sum / count : Number.POSITIVE_INFINITY);
    }
    // Ties by code units, never by locale: the same map for every viewer of a link.
    const sorted = [...layer].sort((a, b) => bary.get(a)! - bary.get(b)! || ascending(a, b));
    const columns = Math.ceil(sorted.length / maxRows);
    const rows = Math.ceil(sorted.length / columns);
    sorted.forEach((id, i) => {
      const column = Math.floor(i / rows);
      const inColumn = Math.min(rows, sorted.length - column * rows);
      order.set(id, i);
      // Alternate columns are offset by half a row so edges between them do not run through nodes.
      const offset = column % 2 === 1 ? ROW_GAP / 2 : 0;
      positions.set(id, {
        x: x + column * SUBCOLUMN_GAP,
        y: (i - column * rows - (inColumn - 1) / 2) * ROW_GAP + offset,
      });
    });
    x += (columns - 1) * SUBCOLUMN_GAP + RANK_GAP;
  }
  return positions;
}

/**
 * Positions for a refreshed graph: pinned nodes where they were pinned, nodes already shown where they are, new
 * nodes at their layered position, nudged down until they overlap nothing.
 */
export function stablePositions(
  nodeIds: string[],
  edges: { source: string; target: string }[],
  current: Map<string, Point>,
  pins: Record<string, Point>,
): Map<string, Point> {
  const layered = layeredPositions(nodeIds, edges);
  const result = new Map<string, Point>();
  const taken = new Taken();
  const fixed = [...new Set(nodeIds)].sort().filter((id) => pins[id] || current.has(id));
  for (const id of fixed) {
    const p = pins[id] ?? current.get(id)!;
    result.set(id, p);
    taken.add(p);
  }
  for (const id of [...new Set(nodeIds)].sort()) {
    if (result.has(id)) continue;
    const p = { ...layered.get(id)! };
    while (taken.near(p)) p.y += ROW_GAP;
    result.set(id, p);
    taken.add(p);
  }
  return result;
}

/** Where `x` goes in `list` (sorted descending) to keep it sorted. */
function descendingIndex(list: string[], x: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! > x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Points in a grid of MIN_DISTANCE cells: a point closer than that to `p` is in p's cell or a neighbouring one. */
class Taken {
  private readonly cells = new Map<string, Point[]>();
  private key = (cx: number, cy: number) => `${cx},${cy}`;

  add(p: Point): void {
    const k = this.key(Math.floor(p.x / MIN_DISTANCE), Math.floor(p.y / MIN_DISTANCE));
    const list = this.cells.get(k);
    if (list) list.push(p);
    else this.cells.set(k, [p]);
  }

  near(p: Point): boolean {
    const cx = Math.floor(p.x / MIN_DISTANCE);
    const cy = Math.floor(p.y / MIN_DISTANCE);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const t of this.cells.get(this.key(cx + dx, cy + dy)) ?? [])
          if (Math.hypot(t.x - p.x, t.y - p.y) < MIN_DISTANCE) return true;
      }
    }
    return false;
  }
}

export interface Viewport {
  zoom: number;
  pan: Point;
}

/**
 * The zoom and pan that fit boxes of `half` (half width, half height, plus `below` for labels under a node) around
 * the points into a `width` x `height` canvas with `padding` on every side, as cytoscape's fit would, but from
 * the positions alone: cytoscape's own fit measures every element's rendered bounding box first, edges and labels
 * included, which was a quarter of drawing a 500-service map. Null when there is nothing to fit.
 */
export function fitViewport(
  points: Iterable<Point>,
  box: { halfWidth: number; halfHeight: number; below: number },
  canvas: { width: number; height: number; padding: number; minZoom: number; maxZoom: number },
): Viewport | null {
  let x1 = Infinity,
    y1 = Infinity,
    x2 = -Infinity,
    y2 = -Infinity;
  for (const p of points) {
    x1 = Math.min(x1, p.x - box.halfWidth);
    x2 = Math.max(x2, p.x + box.halfWidth);
    y1 = Math.min(y1, p.y - box.halfHeight);
    y2 = Math.max(y2, p.y + box.halfHeight + box.below);
  }
  if (x1 === Infinity) return null;
  const w = canvas.width - 2 * canvas.padding;
  const h = canvas.height - 2 * canvas.padding;
  if (w <= 0 || h <= 0) return null;
  const zoom = Math.min(canvas.maxZoom, Math.max(canvas.minZoom, Math.min(w / (x2 - x1), h / (y2 - y1))));
  return { zoom, pan: { x: (canvas.width - zoom * (x1 + x2)) / 2, y: (canvas.height - zoom * (y1 + y2)) / 2 } };
}
