import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromTable, toTable } from "../../app/(map)/table-json";
import { packGraph, unpackGraph } from "../../app/(map)/graph-wire";
import type { Graph, GraphEdge, GraphNode } from "../../lib/domain/graph-model";

// Fractions of at most six significant digits, which compactJson keeps exactly.
const node = (name: string, over: Partial<GraphNode> = {}): GraphNode => ({
  id: name,
  name,
  type: "service",
  namespace: null,
  requests: 3,
  errors: 1,
  rawSpans: 3,
  ratePerSec: 0.000833333,
  errorRate: 0.125,
  p50: 12.5,
  p95: null,
  p99: 40,
  quality: {
    orphanSpans: 0,
    unpairedClientSpans: 1,
    unpairedServerSpans: 0,
    rootServerSpans: 2,
    suspectedBrokenContext: true,
  },
  ...over,
});
const edge = (source: string, target: string, over: Partial<GraphEdge> = {}): GraphEdge => ({
  id: `${source}->${target}`,
  source,
  target,
  connectionType: "rpc",
  broker: null,
  requests: 10,
  errors: 0,
  status4xx: 1,
  throttled: 0,
  rawSpans: 10,
  ratePerSec: 0.5,
  errorRate: 0,
  client: { p50: 5, p95: 9.5, p99: null },
  server: { p50: 4, p95: 8, p99: 9 },
  ...over,
});

describe("graph as a page prop", () => {
  it("unpacks exactly the graph it packed, optional diffs and baseline included", () => {
    const diff = {
      status: "added" as const,
      rate: 0.5,
      baseRate: 0,
      errors: 0,
      baseErrors: 0,
      p95: 9.5,
      baseP95: null,
    };
    const graph: Graph = {
      from: "2026-12-02T10:00:00.000Z",
      to: "2026-12-02T11:00:00.000Z",
      settledUntil: "2026-12-02T10:59:31.000Z",
      coveredSeconds: 3571,
      baseline: { from: "2026-12-01T10:00:00.000Z", to: "2026-12-01T11:00:00.000Z" },
      nodes: [
        node("user", { type: "user" }),
        node("<b>orders</b>", { namespace: "shop", diff: diff as never }),
        node("__proto__"),
      ],
      edges: [
        edge("user", "<b>orders</b>"),
        edge("<b>orders</b>", "kafka", { connectionType: "messaging", broker: "kafka/orders", diff: diff as never }),
      ],
    };
    const back = unpackGraph(packGraph(graph));
    expect(back).toEqual(graph);
    expect("diff" in back.nodes[0]!).toBe(false);
    expect(back.nodes[1]!.diff).toEqual(diff);
    expect(Object.getPrototypeOf(back.nodes[2])).toBe(Object.prototype);
    expect(back.nodes[2]!.name).toBe("__proto__");
  });

  it("is a fraction of the size of the same graph as objects", () => {
    const names = Array.from({ length: 200 }, (_, i) => `svc-${i}`);
    const graph: Graph = {
      from: "a",
      to: "b",
      settledUntil: null,
      coveredSeconds: 1,
      nodes: names.map((n) => node(n)),
      edges: names.slice(1).map((n, i) => edge(names[i]!, n)),
    };
    expect(packGraph(graph).length).toBeLessThan(JSON.stringify(graph).length * 0.5);
  });

  it("treats a key holding undefined as JSON does: as no key", () => {
    const back = fromTable<Record<string, unknown>>(
      JSON.parse(
        JSON.stringify(
          toTable([
            { a: 1, diff: undefined, q: { x: 1 } },
            { a: 2, diff: { s: 1 }, q: { x: undefined } },
          ]),
        ),
      ),
    );
    expect(back).toEqual([
      { a: 1, q: { x: 1 } },
      { a: 2, diff: { s: 1 }, q: {} },
    ]);
    expect("diff" in back[0]!).toBe(false);
  });

  it("round-trips any list of records, nested objects, missing keys and a key named __proto__", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
    );
    const key = fc.oneof(fc.constantFrom("a", "b", "client", "__proto__", "x.y"), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, value, { maxKeys: 5 }), { maxLength: 6 }), (records) => {
        const back = fromTable(JSON.parse(JSON.stringify(toTable(records))));
        expect(back).toEqual(records);
        back.forEach((r, i) =>
          expect(Object.keys(r as object)).toEqual(expect.arrayContaining(Object.keys(records[i]!))),
        );
      }),
    );
  });
});
