import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  distanceToSegment,
  edgeAt,
  edgeLook,
  groupByStroke,
  outsideSearch,
  strokeOf,
  underlaysOf,
  type EdgeLook,
  type LayerEdge,
} from "../../app/(map)/edge-geometry";
import { HEALTH } from "../../app/components/map-style";

const look = (over: Partial<EdgeLook> = {}): EdgeLook => ({
  health: "ok",
  width: 2,
  toVirtual: false,
  change: null,
  ...over,
});
const edge = (id: string, source: string, target: string, over: Partial<EdgeLook> = {}): LayerEdge => ({
  id,
  source,
  target,
  look: look(over),
});
const at = (points: Record<string, { x: number; y: number }>) => (id: string) => points[id];

describe("edge layer: what a click hits", () => {
  const points = { a: { x: 0, y: 0 }, b: { x: 100, y: 0 }, c: { x: 0, y: 100 } };

  it("measures the distance to a segment, its ends included", () => {
    expect(distanceToSegment({ x: 50, y: 3 }, points.a, points.b)).toBe(3);
    expect(distanceToSegment({ x: -3, y: -4 }, points.a, points.b)).toBe(5); // beyond an end: to the end point
    expect(distanceToSegment({ x: 3, y: 4 }, points.a, points.a)).toBe(5); // a zero-length segment is a point
  });

  it("finds the nearest edge within its half width plus the tolerance, and nothing further out", () => {
    const edges = [edge("ab", "a", "b", { width: 4 }), edge("ac", "a", "c")];
    expect(edgeAt(edges, at(points), { x: 50, y: 6 }, 4)).toBe("ab"); // 6 <= 4/2 + 4
    expect(edgeAt(edges, at(points), { x: 50, y: 6.5 }, 4)).toBeNull();
    expect(edgeAt(edges, at(points), { x: 2, y: 60 }, 4)).toBe("ac");
    // Near both (by the shared node): the closer one.
    expect(edgeAt(edges, at(points), { x: 3, y: 1 }, 4)).toBe("ab");
  });

  it("lets the edge drawn last win a tie, as it is on top", () => {
    const edges = [edge("ab", "a", "b"), edge("ab:messaging", "a", "b")];
    expect(edgeAt(edges, at(points), { x: 50, y: 0 }, 2)).toBe("ab:messaging");
  });

  it("hits a self-call on its loop, not in the loop's middle", () => {
    const edges = [edge("aa", "a", "a")];
    // The loop is a circle of radius 14 centred at (-14, -14).
    expect(edgeAt(edges, at(points), { x: -14, y: 0 }, 2)).toBe("aa");
    expect(edgeAt(edges, at(points), { x: -14, y: -14 }, 2)).toBeNull();
  });

  it("skips edges whose nodes are not on the map", () => {
    expect(edgeAt([edge("ax", "a", "x")], at(points), { x: 0, y: 0 }, 10)).toBeNull();
  });

  it("hits every point of a lone edge's stroke", () => {
    fc.assert(
      fc.property(
        fc.record({
          x1: fc.integer({ min: -1000, max: 1000 }),
          y1: fc.integer({ min: -1000, max: 1000 }),
          x2: fc.integer({ min: -1000, max: 1000 }),
          y2: fc.integer({ min: -1000, max: 1000 }),
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ x1, y1, x2, y2 }, t) => {
          const p = { x: x1 + t * (x2 - x1), y: y1 + t * (y2 - y1) };
          return (
            edgeAt([edge("uv", "u", "v", { width: 1 })], at({ u: { x: x1, y: y1 }, v: { x: x2, y: y2 } }), p, 0.01) ===
            "uv"
          );
        },
      ),
    );
  });
});

describe("edge layer: strokes", () => {
  it("reads an edge's look from its figures, as cytoscape's classes do", () => {
    const base = { requests: 100, errorRate: 0, ratePerSec: 1, target: "db" };
    expect(edgeLook(base, new Set(["db"]))).toEqual({ health: "ok", width: 5, toVirtual: true, change: null });
    expect(edgeLook({ ...base, errorRate: 0.2, ratePerSec: 0, target: "svc" }, new Set(["db"]))).toEqual({
      health: "failing",
      width: 1,
      toVirtual: false,
      change: null,
    });
    expect(edgeLook({ ...base, requests: 0, diff: { status: "removed" } as never }, new Set()).change).toBe("removed");
    expect(edgeLook({ ...base, diff: { status: "same" } as never }, new Set()).change).toBeNull();
  });

  it("draws health colours, dashes to virtual nodes, gone edges grey and dotted", () => {
    expect(strokeOf(look({ health: "failing", width: 3 }))).toEqual({
      color: HEALTH.failing.color,
      width: 3,
      alpha: 1,
      dash: [],
    });
    expect(strokeOf(look({ toVirtual: true })).dash).toEqual([6, 3]);
    expect(strokeOf(look({ change: "removed", health: "idle" }))).toMatchObject({
      color: "#BBBBBB",
      alpha: 0.7,
      dash: [1, 2],
    });
  });

  it("puts a teal underlay under new edges and under the selected one", () => {
    expect(underlaysOf(look(), false)).toEqual([]);
    expect(underlaysOf(look({ change: "added", width: 2 }), false)).toEqual([
      { color: "#009988", width: 8, alpha: 0.35, dash: [] },
    ]);
    expect(underlaysOf(look({ width: 2 }), true)).toEqual([{ color: "#009988", width: 10, alpha: 0.3, dash: [] }]);
  });

  it("groups edges by stroke, in first-seen order, one group per distinct stroke", () => {
    const edges = [
      edge("1", "a", "b"),
      edge("2", "a", "c", { health: "failing" }),
      edge("3", "b", "c"),
      edge("4", "c", "d", { toVirtual: true }),
    ];
    const groups = [...groupByStroke(edges, (e) => [strokeOf(e.look)]).values()];
    expect(groups.map((g) => g.items.map((e) => e.id))).toEqual([["1", "3"], ["2"], ["4"]]);
    expect(groups[1]!.stroke.color).toBe(HEALTH.failing.color);
  });
});

describe("edge layer: search", () => {
  it("dims an edge only while a search runs and the edge touches none of the nodes found", () => {
    const found = new Set(["orders"]);
    expect(outsideSearch(found, "gateway", "orders")).toBe(false);
    expect(outsideSearch(found, "orders", "db")).toBe(false);
    expect(outsideSearch(found, "user", "gateway")).toBe(true);
    expect(outsideSearch(new Set(), "user", "gateway")).toBe(false);
  });
});
