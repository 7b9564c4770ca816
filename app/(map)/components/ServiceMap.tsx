"use client";

import { useEffect, useRef } from "react";
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import type { Graph } from "@/lib/query/graph";
import type { LabelMode, LatencySide, Selection, Viewport } from "@/app/(map)/url";
import { fitViewport, stablePositions, type Point } from "@/app/components/layout";
import { groupId } from "@/app/(map)/namespaces";
import { formatDiff } from "@/lib/domain/compare";
import {
  curvedEdges,
  edgeLabel,
  formatMs,
  formatPercent,
  formatRate,
  HEALTH,
  healthOf,
  LABEL_ZOOM,
  NODE_ICONS,
  NODE_SHAPES,
  type Health,
} from "@/app/components/map-style";
import { EDGE_LAYER_MIN_EDGES, edgeLook, type LayerEdge } from "@/app/(map)/edge-geometry";
import { EdgeLayer } from "./edge-layer";

export interface ServiceMapProps {
  graph: Pick<Graph, "nodes" | "edges">;
  labels: LabelMode;
  side: LatencySide;
  matches: Set<string>;
  selected: Selection | null;
  pins: Record<string, Point>;
  onSelect: (s: Selection | null) => void;
  onPin: (id: string, p: Point) => void;
  /** Namespaces drawn as boxes; a click on a box (or a collapsed group) toggles it. */
  groups: boolean;
  onToggleGroup: (namespace: string) => void;
  /** After the frame that shows a new graph has been painted. */
  onDrawn?: () => void;
  /** Where to look when the map opens (a shared link's viewport); null: fit the map. */
  viewport?: Viewport | null;
  /** The viewer moved or zoomed the map (null: the map was fitted again). */
  onViewport?: (v: Viewport | null) => void;
}

const VIRTUAL_TYPES = new Set(["database", "messaging", "external", "unknown"]);

interface Theme {
  muted: string;
  bg: string;
}

const styleFor = (t: Theme): cytoscape.StylesheetJson => [
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
      "font-size": 12,
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
      "font-size": 11,
      color: t.muted,
      "text-background-color": t.bg,
      "text-background-opacity": 0.8,
      "text-background-padding": "2",
      "min-zoomed-font-size": 7,
    },
  },
  { selector: "edge.curved.labeled", style: { "curve-style": "bezier" } },
  // Haystack lines cannot loop.
  { selector: "edge:loop", style: { "curve-style": "bezier", "loop-direction": "-45deg", "loop-sweep": "-60deg" } },
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

const classList = (...names: (string | false | null | undefined)[]) => names.filter(Boolean).join(" ");

interface Elements {
  /** Nodes, namespace boxes first. */
  nodes: ElementDefinition[];
  edges: ElementDefinition[];
  /** The edges as the edge layer draws them, in the same order. */
  layerEdges: LayerEdge[];
}

function elementsOf(p: ServiceMapProps, labeled: boolean): Elements {
  const nodes: ElementDefinition[] = p.graph.nodes.map((n) => {
    const health = healthOf(n.requests, n.errorRate, n.health);
    const q = n.quality;
    const quality = q.orphanSpans + q.unpairedClientSpans + q.unpairedServerSpans + (q.suspectedBrokenContext ? 1 : 0);
    const badge = quality > 0 ? " ⚠" : "";
    const figures =
      n.requests > 0 ? `\n${formatRate(n.ratePerSec)} · ${formatPercent(n.errorRate)} · p95 ${formatMs(n.p95)}` : "";
    const change = n.diff ? `\nΔ ${formatDiff(n.diff, "rate")}` : "";
    return {
      group: "nodes",
      classes: classList(
        `health-${health}`,
        n.type in NODE_SHAPES && `type-${n.type}`,
        n.diff && n.diff.status !== "same" && n.diff.status,
        labeled && "labeled",
      ),
      data: { id: n.id, label: `${n.name}${badge}${figures}${change}`, type: n.type, quality },
    };
  });
  const diffKind = p.labels === "rate" ? "rate" : p.labels === "errors" ? "errors" : "p95";
  const virtual = new Set(p.graph.nodes.filter((n) => VIRTUAL_TYPES.has(n.type)).map((n) => n.id));
  const curved = curvedEdges(p.graph.edges);
  const layerEdges: LayerEdge[] = p.graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    look: edgeLook(e, virtual),
  }));
  const edges: ElementDefinition[] = p.graph.edges.map((e, i) => ({
    group: "edges",
    classes: classList(
      `health-${layerEdges[i]!.look.health}`,
      `width-${layerEdges[i]!.look.width}`,
      layerEdges[i]!.look.toVirtual && "to-virtual",
      curved.has(e.id) && "curved",
      layerEdges[i]!.look.change,
      labeled && "labeled",
    ),
    data: {
      id: e.id,
      source: e.source,
      target: e.target,
      label: [edgeLabel(e, p.labels, p.side), e.diff && p.labels !== "none" ? `(${formatDiff(e.diff, diffKind)})` : ""]
        .filter(Boolean)
        .join(" "),
    },
  }));
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
function themeOf(el: HTMLElement | null): Theme {
  const css = el ? getComputedStyle(el) : null;
  return {
    muted: css?.getPropertyValue("--muted").trim() || "#5b6470",
    bg: css?.getPropertyValue("--bg").trim() || "#ffffff",
  };
}

function applyHighlights(cy: Core, layer: EdgeLayer | null, matches: Set<string>, selected: Selection | null): void {
  cy.batch(() => {
    cy.elements(".match, .dim").removeClass("match dim");
    if (matches.size > 0) cy.nodes().forEach((n) => void n.addClass(matches.has(n.id()) ? "match" : "dim"));
    cy.elements(":selected").unselect();
    if (selected) cy.getElementById(selected.id).select();
  });
  layer?.select(selected?.kind === "edge" ? selected.id : null);
}

/** Tolerance of a click on an edge the layer draws, in screen pixels on each side of its stroke. */
const EDGE_CLICK_PX = 5;

/**
 * Fits the map to its nodes' positions (cytoscape's fit would first measure every edge and label). The boxes
 * allow for the largest node (a collapsed group), namespace boxes' padding and title, and labels under nodes.
 */
function fitFromPositions(cy: Core, positions: Map<string, Point>, groups: boolean, labeled: boolean): void {
  const box = {
    halfWidth: (labeled ? 70 : 35) + (groups ? 20 : 0),
    halfHeight: 23 + (groups ? 40 : 0),
    below: labeled ? 46 : 0,
  };
  const v = fitViewport(positions.values(), box, {
    width: cy.width(),
    height: cy.height(),
    padding: 40,
    minZoom: cy.minZoom(),
    maxZoom: cy.maxZoom(),
  });
  if (v) cy.viewport(v);
}

/**
 * cytoscape's first frame draws every element into a layer texture and then draws the layer: everything twice,
 * a third of the first frame of 500 services. Told that this is not its first frame, the renderer draws the
 * elements directly while they are new and builds its layers when idle, as it does after any change.
 */
function skipFirstLayerPass(cy: Core): void {
  const layers = (cy as unknown as { renderer(): { data?: { lyrTxrCache?: { firstGet?: boolean } } } }).renderer().data
    ?.lyrTxrCache;
  if (layers && layers.firstGet === true) layers.firstGet = false;
}

/** Moves the layer's edges into cytoscape (labelled as the map is), with the selection carried over. */
function takeEdgesFromLayer(cy: Core, layer: EdgeLayer): void {
  const selected = layer.selectedEdge;
  cy.add(layer.take());
  if (selected) cy.getElementById(selected).select();
}

/** The one place cytoscape lives: created once, updated in place on every prop change, destroyed on unmount. */
export default function ServiceMap(props: ServiceMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const layerRef = useRef<EdgeLayer | null>(null);
  const labeled = useRef(false);
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: styleFor(themeOf(container.current)),
      minZoom: 0.1,
      maxZoom: 4,
      selectionType: "single",
    });
    const layer = new EdgeLayer(cy, container.current!);
    cyRef.current = cy;
    layerRef.current = layer;
    skipFirstLayerPass(cy);
    cy.on("render", () => layer.draw());
    cy.on("tap", "edge", (ev) => handlers.current.onSelect({ kind: "edge", id: ev.target.id() }));
    cy.on("tap", "node", (ev) => {
      const id: string = ev.target.id();
      // Boxes and collapsed groups toggle; services select.
      if (ev.target.isParent() || ev.target.data("type") === "group") handlers.current.onToggleGroup(id.slice(3));
      else handlers.current.onSelect({ kind: "node", id });
    });
    cy.on("tap", (ev) => {
      if (ev.target !== cy) return;
      const edge = layer.edgeAt(ev.position, EDGE_CLICK_PX);
      handlers.current.onSelect(edge ? { kind: "edge", id: edge } : null);
    });
    cy.on("zoom", () => {
      const want = cy.zoom() >= LABEL_ZOOM;
      if (want === labeled.current) return;
      labeled.current = want;
      cy.batch(() => {
        // Labels and arrows are cytoscape's to draw: the layer's edges go there, and stay.
        if (want && layer.size > 0) takeEdgesFromLayer(cy, layer);
        if (want) cy.elements().not(":parent").addClass("labeled");
        else cy.elements().removeClass("labeled");
      });
    });
    cy.on("dragfree", "node", (ev) => handlers.current.onPin(ev.target.id(), { ...ev.target.position() }));
    // The viewer's own pans (a drag that moved the view) and wheel zooms go into the URL, so a shared link shows
    // the same view; the map's own fits and resizes do not.
    let report: ReturnType<typeof setTimeout> | undefined;
    const reportView = () => {
      clearTimeout(report);
      report = setTimeout(() => {
        const pan = cy.pan();
        handlers.current.onViewport?.({ zoom: cy.zoom(), x: pan.x, y: pan.y });
      }, 400);
    };
    let pressed: string | null = null;
    const viewKey = () => `${cy.zoom()},${cy.pan().x},${cy.pan().y}`;
    const onPress = () => {
      pressed = viewKey();
    };
    const onRelease = () => {
      if (pressed !== null && pressed !== viewKey()) reportView();
      pressed = null;
    };
    container.current?.addEventListener("wheel", reportView, { passive: true });
    container.current?.addEventListener("mousedown", onPress);
    container.current?.addEventListener("touchstart", onPress, { passive: true });
    window.addEventListener("mouseup", onRelease);
    window.addEventListener("touchend", onRelease);
    // For tests and debugging: the live instance and the edge layer, never used by the app itself.
    Object.assign(window, { __tracemapCy: cy, __tracemapEdgeLayer: layer });
    // The canvas must follow its box (the side panel opening narrows it).
    const resize = new ResizeObserver(() => {
      cy.resize();
      layer.draw();
    });
    if (container.current) resize.observe(container.current);
    return () => {
      clearTimeout(report);
      window.removeEventListener("mouseup", onRelease);
      window.removeEventListener("touchend", onRelease);
      resize.disconnect();
      layer.destroy();
      cy.destroy();
      cyRef.current = null;
      layerRef.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    const layer = layerRef.current;
    if (!cy || !layer) return;
    const nodeIds = new Set(props.graph.nodes.map((n) => n.id));
    const current = new Map<string, Point>();
    cy.nodes().forEach((n) => void (nodeIds.has(n.id()) && !n.isParent() && current.set(n.id(), { ...n.position() })));
    const positions = stablePositions([...nodeIds], props.graph.edges, current, props.pins);
    const firstDraw = cy.elements().length === 0;
    if (firstDraw && props.graph.nodes.length > 0) {
      const vp = handlers.current.viewport;
      if (vp) {
        // A shared link: exactly the view its author had.
        cy.viewport({ zoom: vp.zoom, pan: { x: vp.x, y: vp.y } });
      } else {
        // Fitted before anything is added, so the zoom (and with it labels, and who draws the edges) is known first.
        fitFromPositions(cy, positions, props.groups, false);
        // Zoomed in enough to read: the labels are attached (by the zoom handler) and the fit redone to make room.
        if (cy.zoom() >= LABEL_ZOOM) fitFromPositions(cy, positions, props.groups, true);
      }
    }
    const all = elementsOf(props, labeled.current);
    // A big map opens zoomed out with its edges in the layer; they stay there until labels are wanted.
    const edgesInLayer = !labeled.current && (firstDraw ? all.edges.length >= EDGE_LAYER_MIN_EDGES : layer.size > 0);
    const wanted = edgesInLayer ? all.nodes : [...all.nodes, ...all.edges];
    const wantedIds = new Set(wanted.map((e) => e.data.id!));

    const added: ElementDefinition[] = [];
    cy.batch(() => {
      // Vanished elements fade out instead of disappearing mid-glance.
      cy.elements()
        .filter((el) => !wantedIds.has(el.id()) && !el.data("leaving"))
        .forEach((el) => {
          el.data("leaving", true);
          el.animate({ style: { opacity: 0 } }, { duration: 600, complete: () => el.remove() });
        });
      for (const def of wanted) {
        const existing = cy.getElementById(def.data.id!);
        if (existing.nonempty() && !existing.data("leaving")) {
          const parent = def.data.parent ?? null;
          if (def.group === "nodes" && (existing.data("parent") ?? null) !== parent) existing.move({ parent });
          existing.data(def.data);
          existing.classes(def.classes ?? "");
        } else {
          if (existing.nonempty()) existing.remove();
          const pos = def.group === "nodes" ? positions.get(def.data.id!) : undefined;
          added.push(pos ? { ...def, position: { ...pos } } : def);
        }
      }
      // One add for all: cytoscape checks and indexes a whole array at once (nodes first, then edges).
      if (added.length > 0) cy.add(added);
      for (const [id, p] of Object.entries(props.pins)) cy.getElementById(id).position({ ...p });
    });
    layer.set(edgesInLayer ? all.layerEdges : [], edgesInLayer ? all.edges : []);
    applyHighlights(cy, layer, props.matches, props.selected);
    layer.draw();
    const nodes = String(cy.nodes().length);
    container.current?.setAttribute("data-nodes", nodes);
    container.current?.setAttribute("data-edges", String(cy.edges().length + layer.size));
    // Set once the frame showing them has been painted (what the benchmark waits for).
    cy.one("render", () => {
      container.current?.setAttribute("data-drawn", nodes);
      handlers.current.onDrawn?.();
    });
    // Highlights (search, selection) are left to their own effect below.
  }, [props.graph, props.labels, props.side, props.pins, props.groups]);

  // Selection and search only restyle a few elements: no need to touch the rest of a big graph.
  useEffect(() => {
    if (cyRef.current) applyHighlights(cyRef.current, layerRef.current, props.matches, props.selected);
  }, [props.matches, props.selected]);

  const fit = () => {
    cyRef.current?.fit(undefined, 40);
    props.onViewport?.(null);
  };
  const zoom = (f: number) => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    props.onViewport?.({ zoom: cy.zoom(), x: cy.pan().x, y: cy.pan().y });
  };
  const exportPng = () => {
    const cy = cyRef.current;
    if (!cy) return;
    // cytoscape's picture holds only what cytoscape draws.
    if (layerRef.current && layerRef.current.size > 0) cy.batch(() => takeEdgesFromLayer(cy, layerRef.current!));
    const a = document.createElement("a");
    a.href = cy.png({ full: true, scale: 2, bg: "#ffffff" });
    a.download = "tracemap.png";
    a.click();
  };

  return (
    <div className="map-wrap">
      <div className="map-tools" role="toolbar" aria-label="Map view">
        <button type="button" onClick={fit}>
          Fit
        </button>
        <button type="button" onClick={() => zoom(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoom(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={exportPng}>
          PNG
        </button>
      </div>
      <div
        ref={container}
        className="map-canvas"
        role="application"
        data-testid="service-map"
        aria-label="Service map (the table view lists the same nodes and edges)"
      />
    </div>
  );
}
