import { describe, expect, it } from "vitest";
import ELK from "elkjs/lib/elk.bundled.js";
import {
  edgesThroughNodes,
  elkGraph,
  fromElk,
  NODE_BOX,
  segmentsFor,
  type LayoutEdge,
  type LayoutNode,
} from "../../app/components/elk-layout";

const elk = new ELK();
const edge = (source: string, target: string): LayoutEdge => ({ id: `${source}->${target}`, source, target });
// The demo shop's map (lib/demo): straight, api-gateway -> catalog-service ran through two other services.
const edges = [
  edge("user", "api-gateway"),
  edge("user", "catalog-service"),
  edge("api-gateway", "catalog-service"),
  edge("api-gateway", "order-service"),
  edge("api-gateway", "search-service"),
  edge("api-gateway", "user-service"),
  edge("catalog-service", "cache:6379"),
  edge("inventory-service", "inventory-db:5432"),
  edge("order-service", "inventory-service"),
  edge("order-service", "notification-service"),
  edge("order-service", "payment-service"),
  edge("payment-service", "payment-gateway"),
  edge("recommendation-service", "catalog-service"),
  edge("search-service", "recommendation-service"),
  edge("user-service", "users-db:5432"),
];
const nodes: LayoutNode[] = [...new Set(edges.flatMap((e) => [e.source, e.target]))].map((id) => ({ id }));

const layout = async (n: LayoutNode[], e: LayoutEdge[]) => fromElk(await elk.layout(elkGraph(n, e)));

describe("ELK layout", () => {
  it("puts callers left of callees and routes every edge clear of the nodes it does not connect", async () => {
    const { positions, routes } = await layout(nodes, edges);
    expect([...positions.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    // One cycle (catalog -> recommendation -> catalog): one of its calls runs right to left.
    const backwards = edges.filter((e) => positions.get(e.source)!.x >= positions.get(e.target)!.x);
    expect(backwards.length).toBeLessThanOrEqual(1);
    expect(routes.size).toBeGreaterThan(0); // the rank-skipping calls bend
    expect(edgesThroughNodes(positions, edges, routes)).toBe(0);
    // Nodes' boxes (shape and label) never overlap.
    const ps = [...positions.values()];
    for (const [i, a] of ps.entries())
      for (const b of ps.slice(i + 1))
        expect(Math.abs(a.x - b.x) >= NODE_BOX.width || Math.abs(a.y - b.y) >= NODE_BOX.height).toBe(true);
  });

  it("gives the same picture for the same graph in any order", async () => {
    const a = await layout(nodes, edges);
    const b = await layout([...nodes].reverse(), [...edges].reverse());
    expect([...b.positions].sort()).toEqual([...a.positions].sort());
    expect([...b.routes].sort()).toEqual([...a.routes].sort());
  });

  it("lays namespace members out together, inside their box, and nobody else there", async () => {
    const grouped = nodes.map((n) => ({
      ...n,
      parent: ["order-service", "inventory-service", "payment-service"].includes(n.id) ? "ns:shop" : null,
    }));
    const laidOut = await elk.layout(elkGraph(grouped, edges));
    const box = laidOut.children!.find((c) => c.id === "ns:shop")!;
    const { positions } = fromElk(laidOut);
    const inside = (id: string) => {
      const p = positions.get(id)!;
      return p.x > box.x! && p.x < box.x! + box.width! && p.y > box.y! && p.y < box.y! + box.height!;
    };
    expect(nodes.filter((n) => inside(n.id)).map((n) => n.id)).toEqual([
      "order-service",
      "inventory-service",
      "payment-service",
    ]);
  });

  it("turns bend points into cytoscape segment weights and distances that land on the same points", () => {
    const s = { x: 10, y: 20 };
    const t = { x: 310, y: 120 };
    const bends = [
      { x: 100, y: -40 },
      { x: 250, y: 200 },
    ];
    const { weights, distances } = segmentsFor(s, t, bends);
    const dx = t.x - s.x;
    const dy = t.y - s.y;
    const l = Math.hypot(dx, dy);
    const back = weights.map((w, i) => ({
      x: s.x + w * dx + (-dy / l) * distances[i]!,
      y: s.y + w * dy + (dx / l) * distances[i]!,
    }));
    for (const [i, p] of back.entries()) {
      expect(p.x).toBeCloseTo(bends[i]!.x, 6);
      expect(p.y).toBeCloseTo(bends[i]!.y, 6);
    }
  });
});

describe("ELK layout with namespace boxes", () => {
  it("routes edges into and out of boxes in map coordinates: every route still misses the other nodes", async () => {
    const grouped = nodes.map((n) => ({ ...n, parent: n.id.endsWith("-service") ? "ns:shop" : null }));
    const { positions, routes } = await layout(grouped, edges);
    expect(edgesThroughNodes(positions, edges, routes)).toBe(0);
  });
});
