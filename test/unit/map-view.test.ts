import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fitViewport, layeredPositions, stablePositions, RANK_GAP } from "../../app/components/layout";
import {
  DEFAULT_MAP_STATE,
  mapStateToParams,
  parseMapState,
  shiftedWindow,
  withAbsoluteRange,
  zoomedOutWindow,
} from "../../app/(map)/url";
import { applyFilters, focusSubgraph, searchMatches } from "../../lib/domain/graph-view";
import { baselineRange, diffElements, formatDiff } from "../../lib/domain/compare";
import { collapseNamespaces } from "../../app/(map)/namespaces";
import { curvedEdges } from "../../app/components/map-style";
import type { GraphEdge, GraphNode } from "../../lib/domain/graph-model";

const e = (source: string, target: string, ratePerSec = 1, errors = 0) => ({
  id: `${source}->${target}`,
  source,
  target,
  ratePerSec,
  errors,
});
const n = (id: string, type = "service") => ({ id, type });
const shop = [
  e("user", "gateway"),
  e("gateway", "orders"),
  e("orders", "shop"),
  e("orders", "notify"),
  e("gateway", "payments"),
  e("payments", "orders"),
];
const shopNodes = ["user", "gateway", "orders", "shop", "notify", "payments"];

describe("layered layout", () => {
  it("puts callers left of callees, deterministically", () => {
    const a = layeredPositions(shopNodes, shop);
    const b = layeredPositions([...shopNodes].reverse(), [...shop].reverse());
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    for (const edge of shop) expect(a.get(edge.source)!.x).toBeLessThan(a.get(edge.target)!.x);
    expect(a.get("user")!.x).toBe(0);
    expect(a.get("orders")!.x).toBe(3 * RANK_GAP); // longest path: user, gateway, payments, orders
  });

  it("survives cycles and self-calls", () => {
    const p = layeredPositions(["a", "b", "c"], [e("a", "b"), e("b", "c"), e("c", "a"), e("b", "b")]);
    expect(new Set([...p.values()].map((v) => `${v.x},${v.y}`)).size).toBe(3);
  });

  it("keeps shown and pinned nodes in place and places new ones without overlap", () => {
    const first = stablePositions(shopNodes, shop, new Map(), {});
    const moved = new Map(first);
    moved.set("gateway", { x: 999, y: 999 });
    const next = stablePositions([...shopNodes, "search"], [...shop, e("gateway", "search")], moved, {
      notify: { x: -5, y: 7 },
    });
    expect(next.get("gateway")).toEqual({ x: 999, y: 999 });
    expect(next.get("notify")).toEqual({ x: -5, y: 7 });
    expect(next.get("orders")).toEqual(first.get("orders"));
    const s = next.get("search")!;
    for (const [id, p] of next)
      if (id !== "search") expect(Math.hypot(p.x - s.x, p.y - s.y)).toBeGreaterThanOrEqual(60);
  });
});

describe("layout of random graphs", () => {
  const graph = fc.integer({ min: 1, max: 40 }).chain((size) =>
    fc.record({
      ids: fc.constant(Array.from({ length: size }, (_, i) => `s${(i * 7919) % 1000}`)),
      edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: 3 * size }),
      shown: fc.array(
        fc.tuple(fc.nat(size - 1), fc.integer({ min: -300, max: 300 }), fc.integer({ min: -300, max: 300 })),
        { maxLength: size },
      ),
    }),
  );
  it("places every new node at least 60 px from all others, the same for any input order, callers left of callees", () => {
    fc.assert(
      fc.property(graph, ({ ids, edges, shown }) => {
        const es = edges.map(([a, b]) => e(ids[a]!, ids[b]!));
        const current = new Map(shown.map(([i, x, y]) => [ids[i]!, { x, y }] as const));
        const p = stablePositions(ids, es, current, {});
        expect(stablePositions([...ids].reverse(), [...es].reverse(), current, {})).toEqual(p);
        for (const [id, at] of p) {
          if (current.has(id)) expect(at).toEqual(current.get(id));
          else
            for (const [other, q] of p)
              if (other !== id) {
                // A new node keeps its distance from the shown ones and from the new ones placed before it (name order).
                if (current.has(other) || other < id)
                  expect(Math.hypot(at.x - q.x, at.y - q.y)).toBeGreaterThanOrEqual(60);
              }
        }
        const layered = layeredPositions(ids, es);
        const acyclic = es.every((x) => x.source < x.target);
        if (acyclic) for (const x of es) expect(layered.get(x.source)!.x).toBeLessThan(layered.get(x.target)!.x);
      }),
      { numRuns: 300 },
    );
  });
});

describe("map URL state", () => {
  it("round-trips every field and leaves defaults out of the link", () => {
    expect(mapStateToParams(DEFAULT_MAP_STATE).toString()).toBe("");
    const state = {
      ...DEFAULT_MAP_STATE,
      from: "now-6h",
      live: false,
      labels: "p95" as const,
      side: "server" as const,
      search: "ord",
      hideVirtual: true,
      errorsOnly: true,
      minRate: 0.5,
      focus: "orders",
      hops: 2,
      selected: { kind: "edge" as const, id: "gateway->orders" },
      pins: { orders: { x: 10, y: -20 } },
      view: "table" as const,
      viewport: { zoom: 1.25, x: -40, y: 310 },
      refresh: 30,
      group: true,
      groupBy: "k8s.cluster.name",
      dims: { "k8s.cluster.name": "eu-1", "cloud.region": "a:b" },
    };
    expect(parseMapState(mapStateToParams(state))).toEqual(state);
    expect(mapStateToParams(state).get("vp")).toBe("1.250,-40,310");
    expect(parseMapState({ vp: "9,0,0" }).viewport).toBeNull(); // beyond the map's zoom limits
    expect(parseMapState({ vp: "1,2" }).viewport).toBeNull();
    expect(parseMapState({ sel: "node:shop", labels: ["p99", "rate"] })).toMatchObject({
      selected: { kind: "node", id: "shop" },
      labels: "p99",
    });
  });

  it("falls back to defaults for anything unreadable", () => {
    expect(
      parseMapState(new URLSearchParams("from=<script>&labels=bogus&hops=999&minRate=x&sel=weird&pins=a:1")),
    ).toEqual({ ...DEFAULT_MAP_STATE, hops: 10 });
  });

  it("turns a relative range absolute for sharing", () => {
    const now = Date.UTC(2026, 10, 24, 12);
    const abs = withAbsoluteRange({ ...DEFAULT_MAP_STATE, from: "now-1h" }, (t) =>
      t === "now" ? now : now - 3600_000,
    );
    expect([abs.from, abs.to, abs.live]).toEqual(["2026-11-24T11:00:00.000Z", "2026-11-24T12:00:00.000Z", false]);
  });

  it("moves the window by its length, never past now, and zooms out around its middle", () => {
    const now = Date.UTC(2026, 11, 5, 12);
    const hour = 3_600_000;
    expect(shiftedWindow(now - hour, now, -1, now)).toEqual({
      from: "2026-12-05T10:00:00.000Z",
      to: "2026-12-05T11:00:00.000Z",
    });
    expect(shiftedWindow(now - 3 * hour, now - 2 * hour, 1, now).to).toBe("2026-12-05T11:00:00.000Z");
    expect(shiftedWindow(now - 90 * 60_000, now - 30 * 60_000, 1, now)).toEqual({
      from: "2026-12-05T11:00:00.000Z",
      to: "2026-12-05T12:00:00.000Z",
    });
    expect(zoomedOutWindow({ to: "now" }, now - 15 * 60_000, now, now)).toEqual({ from: "now-30m", to: "now" });
    expect(zoomedOutWindow({ to: "x" }, now - 4 * hour, now - 2 * hour, now)).toEqual({
      from: "2026-12-05T07:00:00.000Z",
      to: "2026-12-05T11:00:00.000Z",
    });
    // Never longer than the API serves.
    expect(zoomedOutWindow({ to: "now" }, now - 20 * 86_400_000, now, now).from).toBe(`now-${31 * 24 * 60}m`);
    expect(parseMapState({ refresh: "7" }).refresh).toBe(DEFAULT_MAP_STATE.refresh);
  });
});

describe("graph view transforms", () => {
  const nodes = shopNodes.map((id) => n(id, id === "shop" ? "database" : id === "user" ? "user" : "service"));
  it("focuses on k hops up and down", () => {
    const one = focusSubgraph(nodes, shop, "orders", 1);
    expect(one.nodes.map((x) => x.id).sort()).toEqual(["gateway", "notify", "orders", "payments", "shop"]);
    expect(one.edges.map((x) => x.id)).not.toContain("user->gateway");
    expect(focusSubgraph(nodes, shop, "orders", 2).nodes.map((x) => x.id)).toContain("user");
  });
  it("hides virtual nodes, slow and error-free edges, and idle nodes", () => {
    expect(
      applyFilters(nodes, shop, {
        hideVirtual: true,
        hideUnknown: false,
        hideIdle: false,
        errorsOnly: false,
        minRate: 0,
      }).nodes.map((x) => x.id),
    ).not.toContain("shop");
    const errs = applyFilters(nodes, [...shop.slice(0, 5), e("payments", "orders", 1, 3)], {
      hideVirtual: false,
      hideUnknown: false,
      hideIdle: false,
      errorsOnly: true,
      minRate: 0,
    });
    expect(errs.edges.map((x) => x.id)).toEqual(["payments->orders"]);
    expect(errs.nodes.map((x) => x.id).sort()).toEqual(["orders", "payments"]);
  });
  it("hides idle nodes and edges (no traffic in the window)", () => {
    const out = applyFilters([...nodes, n("old")], [...shop, e("gateway", "old", 0)], {
      hideVirtual: false,
      hideUnknown: false,
      hideIdle: true,
      errorsOnly: false,
      minRate: 0,
    });
    expect(out.nodes.map((x) => x.id)).not.toContain("old");
    expect(out.edges).toHaveLength(shop.length);
  });
  it("matches search case-insensitively", () => {
    expect([...searchMatches(nodes, "OR")]).toEqual(["orders"]);
    expect(searchMatches(nodes, " ").size).toBe(0);
  });
});

describe("compare with a baseline", () => {
  const fig = (id: string, ratePerSec: number, errorRate = 0, p95: number | null = 10) => ({
    id,
    requests: ratePerSec * 60,
    ratePerSec,
    errors: ratePerSec * 60 * errorRate,
    errorRate,
    p95,
  });
  const idle = <T extends ReturnType<typeof fig>>(x: T) => ({
    ...x,
    requests: 0,
    ratePerSec: 0,
    errors: 0,
    errorRate: 0,
    p95: null,
  });
  it("marks added, removed and changed elements with their deltas", () => {
    const out = diffElements(
      [fig("a", 2, 0.1, 30), fig("new", 1)],
      [fig("a", 1, 0.05, 10), fig("gone", 3)],
      (x) => x.p95,
      idle,
    );
    const byId = Object.fromEntries(out.map((x) => [x.id, x]));
    expect(byId.a!.diff).toEqual({ status: "same", rateChange: 1, errorRateDelta: 5, p95Delta: 20 });
    expect(byId.new!.diff.status).toBe("added");
    expect(byId.gone).toMatchObject({ ratePerSec: 0, diff: { status: "removed" } });
    expect([
      formatDiff(byId.a!.diff, "rate"),
      formatDiff(byId.a!.diff, "errors"),
      formatDiff(byId.a!.diff, "p95"),
    ]).toEqual(["+100%", "+5.0 pp", "+20 ms"]);
  });
  it("shifts the window for each baseline", () => {
    const h = 3600_000;
    expect(baselineRange(10 * h, 11 * h, "prev")).toEqual({ from: 9 * h, to: 10 * h });
    expect(baselineRange(30 * h, 31 * h, "1d")).toEqual({ from: 6 * h, to: 7 * h });
  });
  it("keeps cmp in the URL, custom windows too", () => {
    expect(parseMapState(new URLSearchParams("cmp=7d")).compare).toBe("7d");
    const custom = parseMapState(new URLSearchParams("cmp=1700000000000~1700003600000"));
    expect(custom.compare).toEqual({ from: 1700000000000, to: 1700003600000 });
    expect(mapStateToParams(custom).get("cmp")).toBe("1700000000000~1700003600000");
    expect(baselineRange(1, 2, { from: 5, to: 9 })).toEqual({ from: 5, to: 9 });
    expect(parseMapState(new URLSearchParams("cmp=9~3")).compare).toBeNull();
    expect(parseMapState(new URLSearchParams("cmp=yesterday")).compare).toBeNull();
  });
});

describe("layout shape", () => {
  it("wraps a tall layer into sub-columns with no two nodes on one spot", () => {
    const ids = ["user", ...Array.from({ length: 40 }, (_, i) => `s${i}`)];
    const p = layeredPositions(
      ids,
      ids.slice(1).map((id) => e("user", id)),
    );
    const xs = new Set(ids.slice(1).map((id) => p.get(id)!.x));
    expect(xs.size).toBeGreaterThan(1);
    const ys = ids.slice(1).map((id) => p.get(id)!.y);
    expect(Math.max(...ys) - Math.min(...ys)).toBeLessThanOrEqual(10 * 100);
    expect(new Set([...p.values()].map((v) => `${v.x},${v.y}`)).size).toBe(ids.length);
    for (const id of ids.slice(1)) expect(p.get(id)!.x).toBeGreaterThan(p.get("user")!.x);
  });
});

describe("fit viewport from positions", () => {
  const box = { halfWidth: 20, halfHeight: 20, below: 0 };
  const canvas = { width: 1000, height: 600, padding: 40, minZoom: 0.1, maxZoom: 4 };
  const rendered = (v: { zoom: number; pan: { x: number; y: number } }, p: { x: number; y: number }) => ({
    x: p.x * v.zoom + v.pan.x,
    y: p.y * v.zoom + v.pan.y,
  });

  it("puts every node box inside the padded canvas, centred, touching the tighter side", () => {
    const points = [
      { x: -500, y: 0 },
      { x: 1500, y: 100 },
      { x: 200, y: -300 },
    ];
    const v = fitViewport(points, box, canvas)!;
    // Width is the tighter side: (1000 - 80) / 2040 wide.
    expect(v.zoom).toBeCloseTo(920 / 2040, 9);
    const left = rendered(v, { x: -520, y: 0 }).x;
    const right = rendered(v, { x: 1520, y: 0 }).x;
    expect(left).toBeCloseTo(40, 6);
    expect(right).toBeCloseTo(960, 6);
    const top = rendered(v, { x: 0, y: -320 }).y;
    const bottom = rendered(v, { x: 0, y: 120 }).y;
    expect(top).toBeGreaterThanOrEqual(40);
    expect(bottom).toBeLessThanOrEqual(560);
    expect((top + bottom) / 2).toBeCloseTo(300, 6);
  });

  it("leaves room for labels below, caps the zoom, and has nothing to fit without points or room", () => {
    const one = fitViewport([{ x: 10, y: 10 }], { ...box, below: 30 }, canvas)!;
    expect(one.zoom).toBe(4);
    expect(rendered(one, { x: 10, y: 10 + 20 + 30 }).y - 300).toBeCloseTo(
      300 - rendered(one, { x: 10, y: 10 - 20 }).y,
      6,
    );
    expect(fitViewport([], box, canvas)).toBeNull();
    expect(fitViewport([{ x: 0, y: 0 }], box, { ...canvas, width: 60 })).toBeNull();
  });
});

describe("namespace groups", () => {
  const q = {
    orphanSpans: 0,
    unpairedClientSpans: 0,
    unpairedServerSpans: 0,
    rootServerSpans: 1,
    suspectedBrokenContext: false,
  };
  const node = (id: string, namespace: string | null, requests: number, errors = 0): GraphNode => ({
    id,
    name: id,
    type: "service",
    namespace,
    requests,
    errors,
    rawSpans: requests,
    ratePerSec: requests / 60,
    errorRate: requests ? errors / requests : 0,
    p50: 1,
    p95: 2,
    p99: 3,
    quality: { ...q },
  });
  const p3 = { p50: 1, p95: 2, p99: 3 };
  const edge = (source: string, target: string, requests: number, errors = 0): GraphEdge => ({
    id: `${source}->${target}`,
    source,
    target,
    connectionType: "rpc",
    broker: null,
    requests,
    errors,
    status4xx: 0,
    throttled: 0,
    rawSpans: requests,
    ratePerSec: requests / 60,
    errorRate: requests ? errors / requests : 0,
    client: p3,
    server: p3,
  });

  it("collapses a namespace into one node with exact sums and merges its edges", () => {
    const nodes = [
      node("web", null, 10),
      node("orders", "shop", 8, 2),
      node("stock", "shop", 4),
      node("mail", "notify", 1),
    ];
    const edges = [
      edge("web", "orders", 8, 2),
      edge("web", "stock", 2),
      edge("orders", "stock", 2),
      edge("orders", "mail", 1),
    ];
    const out = collapseNamespaces(nodes, edges, new Set(["shop"]));
    const g = out.nodes.find((n) => n.id === "ns:shop")!;
    expect(g).toMatchObject({
      type: "group",
      name: "shop",
      requests: 12,
      errors: 2,
      p95: null,
      quality: { rootServerSpans: 2 },
    });
    expect(out.nodes.map((n) => n.id).sort()).toEqual(["mail", "ns:shop", "web"]);
    const byId = Object.fromEntries(out.edges.map((e) => [e.id, e]));
    expect(byId["web->ns:shop"]).toMatchObject({ requests: 10, errors: 2, errorRate: 0.2, client: { p95: null } });
    expect(byId["ns:shop->ns:shop"]!.requests).toBe(2);
    expect(byId["ns:shop->mail"]).toMatchObject({ requests: 1, client: p3 });
    expect(nodes[1]!.requests).toBe(8); // inputs untouched
  });

  it("keeps group and collapsed in the URL", () => {
    const s = parseMapState(new URLSearchParams("group=1&collapsed=shop,auth"));
    expect([s.group, s.collapsed]).toEqual([true, ["auth", "shop"]]);
    expect(mapStateToParams(s).toString()).toBe("group=1&collapsed=auth%2Cshop");
  });
});

describe("curved edges", () => {
  it("curves loops and edges that share their two nodes with another edge, either way round, and nothing else", () => {
    const edge = (id: string, source: string, target: string) => ({ id, source, target });
    const curved = curvedEdges([
      edge("ab", "a", "b"),
      edge("ba", "b", "a"),
      edge("bc", "b", "c"),
      edge("bc:messaging", "b", "c"),
      edge("cd", "c", "d"),
      edge("dd", "d", "d"),
      edge("ad", "a", "d"),
    ]);
    expect([...curved].sort()).toEqual(["ab", "ba", "bc", "bc:messaging", "dd"]);
  });
});
