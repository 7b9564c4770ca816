import { describe, expect, it } from "vitest";
import {
  CROWDED_EDGES,
  edgeLabelIds,
  elementsOf,
  ERROR_ARC,
  labelScaleFor,
  nodeFigures,
  ringClasses,
  styleFor,
  TRAFFIC_RING_HOLES,
} from "../../app/(map)/map-elements";
import type { GraphEdge, GraphNode } from "../../lib/domain/graph-model";
import { boxWidth, NODE_BOX } from "../../app/components/elk-layout";

const node = (name: string, ratePerSec: number, errorRate = 0): GraphNode => ({
  id: name,
  name,
  type: "service",
  namespace: null,
  requests: ratePerSec * 60,
  errors: Math.round(ratePerSec * 60 * errorRate),
  rawSpans: ratePerSec * 60,
  ratePerSec,
  errorRate,
  p50: 10,
  p95: 20,
  p99: 30,
  quality: {
    orphanSpans: 0,
    unpairedClientSpans: 0,
    unpairedServerSpans: 0,
    rootServerSpans: 0,
    suspectedBrokenContext: false,
  },
});

const edge = (source: string, target: string, ratePerSec: number): GraphEdge =>
  ({
    id: `${source}->${target}`,
    source,
    target,
    connectionType: "rpc",
    broker: null,
    requests: ratePerSec * 60,
    errors: 0,
    status4xx: 0,
    throttled: 0,
    rawSpans: ratePerSec * 60,
    ratePerSec,
    errorRate: 0,
    client: { p50: 1, p95: 2, p99: 3 },
    server: { p50: 1, p95: 2, p99: 3 },
  }) as GraphEdge;

describe("traffic and error ring", () => {
  it("grows with the node's share of the map's traffic in decades and shows any failure", () => {
    expect(ringClasses(0, 100, 0)).toEqual([]); // idle: no ring
    expect(ringClasses(100, 100, 0)).toEqual(["traffic-3"]);
    expect(ringClasses(40, 100, 0)).toEqual(["traffic-3"]);
    expect(ringClasses(10, 100, 0)).toEqual(["traffic-2"]); // a tenth of the busiest is still busy
    expect(ringClasses(0.1, 100, 0)).toEqual(["traffic-1"]);
    // Error share in twentieths, rounded up: 0.1% still draws an arc, 100% is the whole ring.
    expect(ringClasses(5, 100, 0.001)).toEqual(["traffic-2", "err-1"]);
    expect(ringClasses(5, 100, 0.26)).toEqual(["traffic-2", "err-6"]);
    expect(ringClasses(5, 100, 1)).toEqual(["traffic-2", "err-20"]);
  });

  it("is drawn by the stylesheet: a hole per traffic step, the error arc's share per class", () => {
    const style = styleFor({ muted: "#666", bg: "#fff" }) as { selector: string; style: Record<string, unknown> }[];
    const rule = (selector: string) => style.find((r) => r.selector === selector)?.style;
    TRAFFIC_RING_HOLES.forEach((hole, i) => {
      expect(rule(`node.traffic-${i + 1}`)).toMatchObject({
        "pie-hole": `${hole}%`,
        "pie-1-background-color": ERROR_ARC,
      });
    });
    // Busier is thicker: the hole shrinks.
    expect([...TRAFFIC_RING_HOLES].sort((a, b) => b - a)).toEqual([...TRAFFIC_RING_HOLES]);
    expect(rule("node.err-6")).toMatchObject({ "pie-1-background-size": 30, "pie-2-background-size": 70 });
  });

  it("comes with the node elements, against the busiest node of the map", () => {
    const graph = { nodes: [node("a", 200), node("b", 2, 0.5), node("c", 0)], edges: [edge("a", "b", 2)] };
    const { nodes } = elementsOf({ graph, labels: "rate", side: "client", groups: false }, true, new Map());
    const classes = (id: string) => String(nodes.find((n) => n.data.id === id)!.classes).split(" ");
    expect(classes("a")).toContain("traffic-3");
    expect(classes("b")).toEqual(expect.arrayContaining(["traffic-1", "err-10"]));
    expect(classes("c").some((c) => c.startsWith("traffic-"))).toBe(false);
  });
});

describe("edge labels on crowded maps", () => {
  it("labels every edge up to CROWDED_EDGES, then only the busiest and the unhealthy", () => {
    const few = Array.from({ length: CROWDED_EDGES }, (_, i) => edge("s", `t${i}`, i));
    expect(edgeLabelIds(few).size).toBe(CROWDED_EDGES);
    const many = Array.from({ length: 200 }, (_, i) => edge("s", `t${i}`, i));
    many[3] = { ...many[3]!, health: "failing" } as GraphEdge;
    const shown = edgeLabelIds(many);
    expect(shown.size).toBe(31);
    expect(shown.has("s->t199")).toBe(true); // busiest
    expect(shown.has("s->t3")).toBe(true); // quiet but failing
    expect(shown.has("s->t10")).toBe(false);
  });

  it("grows labels when zoomed out so they stay readable, at most twice, in quarter steps", () => {
    expect(labelScaleFor(1.2)).toBe(4 / 4);
    expect(labelScaleFor(0.8)).toBe(5 / 4);
    expect(labelScaleFor(0.3)).toBe(2);
  });
});

describe("node labels", () => {
  const n = { ratePerSec: 2.5, errorRate: 0.04, p50: 12, p95: 180, p99: 900 };
  it("show the label mode's figure and the error share, short enough not to reach the next layer", () => {
    expect(nodeFigures(n, "rate")).toBe("2.50/s · 4.0%");
    expect(nodeFigures(n, "p95")).toBe("p95 180 ms · 4.0%");
    expect(nodeFigures(n, "p99")).toBe("p99 900 ms · 4.0%");
    expect(nodeFigures(n, "errors")).toBe("4.0% errors");
    expect(nodeFigures(n, "none")).toBe("");
  });

  it("show every figure when selected", () => {
    const graph = { nodes: [node("api", 2, 0.04)], edges: [] };
    const [api] = elementsOf({ graph, labels: "p95", side: "client", groups: false }, true, new Map()).nodes;
    expect(api!.data.label).toBe("api\np95 20 ms · 4.0%");
    expect(api!.data.fullLabel).toBe("api\n2.00/s · 4.0% · p95 20 ms");
  });

  it("widen a node's layout box only for names too long for the standard one", () => {
    expect(boxWidth(10)).toBe(NODE_BOX.width);
    expect(boxWidth(40)).toBeGreaterThan(NODE_BOX.width);
    expect(boxWidth(40)).toBeGreaterThanOrEqual(40 * 7.2 * 1.5 - 80);
  });
});
