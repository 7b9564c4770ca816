"use client";

import { useEffect, useRef } from "react";
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import type { Graph } from "@/lib/query/graph";
import type { LabelMode, LatencySide, Selection, Viewport } from "@/app/(map)/url";
import { fitViewport, stablePositions, type Point } from "@/app/components/layout";
import { groupId } from "@/app/(map)/namespaces";
import { LABEL_ZOOM } from "@/app/components/map-style";
import { EDGE_LAYER_MIN_EDGES, outsideSearch } from "@/app/(map)/edge-geometry";
import { laidOutByElk, type ElkResult } from "@/app/components/elk-layout";
import { elkLayout, startElk } from "@/app/(map)/elk-client";

import {
  elementsOf,
  labelScaleFor,
  routesFrom,
  styleFor,
  themeOf,
  validSegments,
  type Route,
} from "@/app/(map)/map-elements";
import { EdgeLayer } from "./edge-layer";

/** Called as soon as this chunk arrives: the layout worker loads while the page hydrates. */
export const warmLayout = (nodes: number, edges: number) => void (laidOutByElk(nodes, edges) && startElk());

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

function applyHighlights(cy: Core, layer: EdgeLayer | null, matches: Set<string>, selected: Selection | null): void {
  cy.batch(() => {
    cy.elements(".match, .dim").removeClass("match dim");
    if (matches.size > 0) {
      cy.nodes().forEach((n) => void n.addClass(matches.has(n.id()) ? "match" : "dim"));
      // An edge stays bright when it touches a node found: the search shows who those nodes talk to.
      cy.edges()
        .filter((e) => outsideSearch(matches, e.data("source"), e.data("target")))
        .addClass("dim");
    }
    cy.elements(":selected").unselect();
    if (selected) cy.getElementById(selected.id).select();
  });
  layer?.select(selected?.kind === "edge" ? selected.id : null);
  layer?.dimOutside(matches);
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

/** Fits the map; zoomed in enough to read, the labels are attached (by the zoom handler) and the fit redone. */
function fitMap(cy: Core, positions: Map<string, Point>, groups: boolean): void {
  fitFromPositions(cy, positions, groups, false);
  if (cy.zoom() >= LABEL_ZOOM) fitFromPositions(cy, positions, groups, true);
}

/** Where the map's nodes (not namespace boxes, which follow their members) are now, those `keep` accepts. */
function nodePositions(cy: Core, keep: (id: string) => boolean): Map<string, Point> {
  const positions = new Map<string, Point>();
  cy.nodes().forEach((n) => void (!n.isParent() && keep(n.id()) && positions.set(n.id(), { ...n.position() })));
  return positions;
}

/** fitMap over the nodes where they are now, fading ones left out. */
function fitToNodes(cy: Core, groups: boolean): void {
  fitMap(
    cy,
    nodePositions(cy, (id) => !cy.getElementById(id).data("leaving")),
    groups,
  );
}

/** Pans (never zooms) just enough to bring the selected node or edge back into the visible part of the map. */
function keepInView(cy: Core, selected: Selection | null): void {
  const el = selected ? cy.getElementById(selected.id) : null;
  if (!el || el.empty()) return;
  const p = el.isNode() ? el.renderedPosition() : (el as unknown as cytoscape.EdgeSingular).renderedMidpoint();
  const margin = 40;
  const dx = p.x < margin ? margin - p.x : p.x > cy.width() - margin ? cy.width() - margin - p.x : 0;
  const dy = p.y < margin ? margin - p.y : p.y > cy.height() - margin ? cy.height() - margin - p.y : 0;
  if (dx || dy) cy.panBy({ x: dx, y: dy });
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
  const matches = layer.dimmedOutside;
  const added = cy.add(layer.take());
  added.filter((e) => outsideSearch(matches, e.data("source"), e.data("target"))).addClass("dim");
  if (selected) cy.getElementById(selected).select();
}

/** The one place cytoscape lives: created once, updated in place on every prop change, destroyed on unmount. */
export default function ServiceMap(props: ServiceMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const layerRef = useRef<EdgeLayer | null>(null);
  const labeled = useRef(false);
  const labelScale = useRef(1);
  /** Whether the positions on screen were laid out with namespace boxes. */
  const laidOutGrouped = useRef(false);
  /** ELK's edge routes, with the end positions they were routed for. */
  const routes = useRef<Map<string, Route>>(new Map());
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
      // Up to ELK's size the map has room for labels grown to stay readable when zoomed out.
      const { nodes, edges } = handlers.current.graph;
      const scale = laidOutByElk(nodes.length, edges.length) ? labelScaleFor(cy.zoom()) : 1;
      if (scale !== labelScale.current) {
        labelScale.current = scale;
        cy.style(styleFor(themeOf(container.current), scale));
      }
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
    cy.on("dragfree", "node", (ev) => {
      // A moved node's routes no longer fit: its edges go straight.
      for (const e of ev.target.connectedEdges()) routes.current.delete(e.id());
      ev.target.connectedEdges().removeClass("routed");
      handlers.current.onPin(ev.target.id(), { ...ev.target.position() });
    });
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
    // The canvas must follow its box (the side panel opening narrows it); a map the viewer has not moved stays
    // fitted to the new box, and a moved one keeps the selection in sight.
    let frame = 0;
    const resize = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        cy.resize();
        if (cy.nodes().nonempty()) {
          if (!handlers.current.viewport) fitToNodes(cy, handlers.current.groups);
          else keepInView(cy, handlers.current.selected);
        }
        layer.draw();
      });
    });
    if (container.current) resize.observe(container.current);
    return () => {
      cancelAnimationFrame(frame);
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
    if (!cy || !layerRef.current) return;
    const firstDraw = cy.elements().length === 0;
    // Grouping by namespace lays the map out again, so members sit together in their box (and nobody else).
    const regroup = !firstDraw && laidOutGrouped.current !== props.groups;
    if (!((firstDraw || regroup) && laidOutByElk(props.graph.nodes.length, props.graph.edges.length)))
      return void draw(null);
    let cancelled = false;
    const nodes = props.graph.nodes.map((node) => ({
      id: node.id,
      parent: props.groups && node.namespace && node.type !== "group" ? groupId(node.namespace) : null,
      // The name and its badges; the figures line under it is shorter than that for most names.
      labelChars: node.name.length + 2,
    }));
    elkLayout(nodes, props.graph.edges)
      .catch(() => null) // no worker: the hand-rolled layout
      .then((laidOut) => void (!cancelled && draw(laidOut)));
    return () => {
      cancelled = true;
    };

    function draw(elk: ElkResult | null) {
      const cy = cyRef.current;
      const layer = layerRef.current;
      if (!cy || !layer) return;
      laidOutGrouped.current = props.groups;
      if (elk) routes.current = routesFrom(elk, props.graph.edges);
      drawGraph(cy, layer, elk);
    }
  }, [props.graph, props.labels, props.side, props.pins, props.groups]);

  function drawGraph(cy: Core, layer: EdgeLayer, elk: ElkResult | null) {
    const nodeIds = new Set(props.graph.nodes.map((n) => n.id));
    const current = elk ? new Map(elk.positions) : nodePositions(cy, (id) => nodeIds.has(id));
    const positions = stablePositions([...nodeIds], props.graph.edges, current, props.pins);
    const firstDraw = cy.elements().length === 0;
    if (firstDraw && props.graph.nodes.length > 0) {
      const vp = handlers.current.viewport;
      if (vp) {
        // A shared link: exactly the view its author had.
        cy.viewport({ zoom: vp.zoom, pan: { x: vp.x, y: vp.y } });
      } else {
        // Fitted before anything is added, so the zoom (and with it labels, and who draws the edges) is known first.
        fitMap(cy, positions, props.groups);
      }
    }
    const all = elementsOf(props, labeled.current, validSegments(routes.current, positions, props.graph.edges));
    // A big map opens zoomed out with its edges in the layer; they stay there until labels are wanted.
    const edgesInLayer = !labeled.current && (firstDraw ? all.edges.length >= EDGE_LAYER_MIN_EDGES : layer.size > 0);
    const wanted = edgesInLayer ? all.nodes : [...all.nodes, ...all.edges];
    const wantedIds = new Set(wanted.map((e) => e.data.id!));

    const added: ElementDefinition[] = [];
    let boxesAdded = false;
    cy.batch(() => {
      // Vanished elements fade out instead of disappearing mid-glance.
      cy.elements()
        .filter((el) => !wantedIds.has(el.id()) && !el.data("leaving"))
        .forEach((el) => {
          el.data("leaving", true);
          el.animate({ style: { opacity: 0 } }, { duration: 600, complete: () => el.remove() });
        });
      // New namespace boxes first: nodes already on the map move into them below.
      const boxes = wanted.filter((d) => d.data.isGroup && cy.getElementById(d.data.id!).empty());
      if (boxes.length > 0) cy.add(boxes);
      boxesAdded = boxes.length > 0;
      for (const def of wanted) {
        const existing = cy.getElementById(def.data.id!);
        if (existing.nonempty() && !existing.data("leaving")) {
          const parent = def.data.parent ?? null;
          if (def.group === "nodes" && (existing.data("parent") ?? null) !== parent) existing.move({ parent });
          existing.data(def.data);
          existing.classes(def.classes ?? "");
          if (elk && def.group === "nodes" && !def.data.isGroup)
            existing.position({ ...positions.get(existing.id())! });
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
    // New or vanished nodes (a focus or filter change, a service appearing): a fitted map is fitted again.
    const nodesChanged =
      !firstDraw &&
      (elk !== null || boxesAdded || added.some((d) => d.group === "nodes") || current.size !== nodeIds.size);
    if (nodesChanged && !handlers.current.viewport) fitMap(cy, positions, props.groups);
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
  }

  // Selection and search only restyle a few elements: no need to touch the rest of a big graph.
  useEffect(() => {
    if (cyRef.current) applyHighlights(cyRef.current, layerRef.current, props.matches, props.selected);
  }, [props.matches, props.selected]);

  // The same fit as the automatic ones (cy.fit measured every edge and label, and framed the map differently).
  const fit = () => {
    if (cyRef.current) fitToNodes(cyRef.current, props.groups);
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
