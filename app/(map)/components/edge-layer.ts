import type { Core, ElementDefinition, NodeSingular } from "cytoscape";
import type { Point } from "@/app/components/layout";
import {
  edgeAt,
  groupByStroke,
  LOOP_RADIUS,
  loopCentre,
  outsideSearch,
  strokeOf,
  underlaysOf,
  type LayerEdge,
  type Stroke,
} from "@/app/(map)/edge-geometry";

type Groups = Map<string, { stroke: Stroke; items: LayerEdge[] }>;

/**
 * A big map's edges while zoomed out, drawn on a canvas under cytoscape's, in cytoscape's viewport (redrawn on
 * each of its frames, so pans, zooms and drags move both together). It holds the edges' cytoscape definitions
 * too, to hand them over when they are wanted there (`take`).
 */
export class EdgeLayer {
  private readonly canvas: HTMLCanvasElement;
  private edges: LayerEdge[] = [];
  private definitions: ElementDefinition[] = [];
  private nodes = new Map<string, NodeSingular>();
  private lines: Groups = new Map();
  private underlays: Groups = new Map();
  private selected: string | null = null;
  /** While a search narrows the map: the nodes found. Edges touching none of them are drawn faint. */
  private matches: ReadonlySet<string> = new Set();

  constructor(
    private readonly cy: Core,
    private readonly container: HTMLElement,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("data-testid", "edge-layer");
    // Below cytoscape's own canvases (its container comes later, at z-index 0), never in the way of a click, and
    // sized by CSS to the box cytoscape fills: a canvas sized in pixels could outgrow a shrinking box and resize it.
    Object.assign(this.canvas.style, {
      position: "absolute",
      left: "0",
      top: "0",
      width: "100%",
      height: "100%",
      pointerEvents: "none",
    });
    container.prepend(this.canvas);
  }

  get size(): number {
    return this.edges.length;
  }

  /** Replaces the edges (their nodes must be in cytoscape already). */
  set(edges: LayerEdge[], definitions: ElementDefinition[]): void {
    this.edges = edges;
    this.definitions = definitions;
    this.nodes = new Map();
    for (const e of edges)
      for (const id of [e.source, e.target])
        if (!this.nodes.has(id)) this.nodes.set(id, this.cy.getElementById(id) as NodeSingular);
    this.restyleLines();
    this.restyleUnderlays();
  }

  get dimmedOutside(): ReadonlySet<string> {
    return this.matches;
  }

  /** Dims the edges that touch none of `matches` (a search), as cytoscape's `edge.dim`; empty: none dimmed. */
  dimOutside(matches: ReadonlySet<string>): void {
    if (matches.size === 0 && this.matches.size === 0) return;
    this.matches = matches;
    this.restyleLines();
    this.draw();
  }

  /** The edges' cytoscape definitions; the layer is empty afterwards. */
  take(): ElementDefinition[] {
    const taken = this.definitions;
    this.set([], []);
    this.draw();
    return taken;
  }

  get selectedEdge(): string | null {
    return this.selected;
  }

  select(id: string | null): void {
    if (id === this.selected) return;
    this.selected = id;
    this.restyleUnderlays();
    this.draw();
  }

  /** The edge under a click at `p` (model coordinates), with `tolerancePx` screen pixels to spare. */
  edgeAt(p: Point, tolerancePx: number): string | null {
    return edgeAt(this.edges, (id) => this.positionOf(id), p, tolerancePx / this.cy.zoom());
  }

  /** Definitions as cytoscape would hold them (for the benchmark's cytoscape-alone floor). */
  get pending(): readonly ElementDefinition[] {
    return this.definitions;
  }

  draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    if (this.canvas.width !== Math.round(width * dpr)) this.canvas.width = Math.round(width * dpr);
    if (this.canvas.height !== Math.round(height * dpr)) this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.edges.length === 0) return;
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * pan.x, dpr * pan.y);
    for (const groups of [this.underlays, this.lines]) {
      for (const { stroke, items } of groups.values()) {
        ctx.strokeStyle = stroke.color;
        ctx.lineWidth = stroke.width;
        ctx.globalAlpha = stroke.alpha;
        ctx.setLineDash(stroke.dash);
        ctx.beginPath();
        for (const e of items) this.trace(ctx, e);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  destroy(): void {
    this.canvas.remove();
  }

  private trace(ctx: CanvasRenderingContext2D, e: LayerEdge): void {
    const a = this.positionOf(e.source);
    const b = this.positionOf(e.target);
    if (!a || !b) return;
    if (e.source === e.target) {
      const c = loopCentre(a);
      ctx.moveTo(c.x + LOOP_RADIUS, c.y);
      ctx.arc(c.x, c.y, LOOP_RADIUS, 0, 2 * Math.PI);
      return;
    }
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
  }

  private positionOf(id: string): Point | undefined {
    const node = this.nodes.get(id);
    return node?.inside() ? node.position() : undefined;
  }

  private restyleLines(): void {
    this.lines = groupByStroke(this.edges, (e) => [
      dimmed(strokeOf(e.look), outsideSearch(this.matches, e.source, e.target)),
    ]);
  }

  private restyleUnderlays(): void {
    this.underlays = groupByStroke(this.edges, (e) => underlaysOf(e.look, e.id === this.selected));
  }
}

/** cytoscape's `edge.dim` opacity. */
const DIM_ALPHA = 0.25;
const dimmed = (s: Stroke, faint: boolean): Stroke => (faint ? { ...s, alpha: s.alpha * DIM_ALPHA } : s);
