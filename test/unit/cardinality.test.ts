import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { otherNodeId, planFold, type FoldEdge, type FoldNode } from "../../lib/domain/cardinality";
import { foldTotals } from "../../lib/query/fold";
import { bucketCounts, bucketOf } from "../../lib/model/histogram";
import { droppedEdgesMetricText, seriesWithin, type EdgeCounterRow } from "../../lib/domain/service-graph-metrics";

const svc = (requests: number): FoldNode => ({ type: "service", requests });
const edge = (source: string, target: string, requests: number, targetType = "service"): FoldEdge => ({
  source,
  target,
  sourceType: source === "user" ? "user" : "service",
  targetType,
  connectionType: targetType === "service" ? "rpc" : "database",
  requests,
});

describe("graph cardinality limits", () => {
  it("changes nothing within the limits", () => {
    const plan = planFold(new Map([["a", svc(5)]]), [edge("user", "a", 5)], { maxNodes: 10, maxEdges: 10 });
    expect(plan.report).toBeNull();
    expect(plan.node("a")).toBe("a");
    expect(plan.ends(0)).toEqual({ source: "user", target: "a" });
  });

  it("folds the quietest nodes into one other node per type, keeps user, and counts them", () => {
    const nodes = new Map([
      ["big", svc(1000)],
      ["mid", svc(100)],
      ["tiny1", svc(1)],
      ["tiny2", svc(2)],
    ]);
    const edges = [
      edge("user", "big", 1000),
      edge("big", "mid", 100),
      edge("mid", "tiny1", 1),
      edge("mid", "tiny2", 2),
      edge("big", "db-x", 1, "database"),
      edge("big", "db-y", 500, "database"),
    ];
    // 7 nodes (user, 4 services, 2 databases) into 6: room for 4 kept plus "other service" and "other database".
    const plan = planFold(nodes, edges, { maxNodes: 6, maxEdges: 100 });
    expect(plan.node("user")).toBe("user");
    expect(plan.node("big")).toBe("big");
    expect(plan.node("db-y")).toBe("db-y");
    expect(plan.node("tiny1")).toBe(otherNodeId("service"));
    expect(plan.node("db-x")).toBe(otherNodeId("database"));
    expect(plan.report).toMatchObject({ nodes: 3, nodesByType: { service: 2, database: 1 } });
    // The two edges to the folded services merge into one.
    expect(plan.ends(2)).toEqual(plan.ends(3));
    expect(plan.report!.edges).toBe(1);
  });

  it("points the quietest edges at an other node when edges alone are over the limit", () => {
    const nodes = new Map(Array.from({ length: 10 }, (_, i) => [`s${i}`, svc(10)] as const));
    const edges = Array.from({ length: 10 }, (_, i) => edge("s0", `s${i}`, i + 1)).slice(1);
    const plan = planFold(nodes, edges, { maxNodes: 100, maxEdges: 5 });
    const kept = new Set(edges.map((_, i) => `${plan.ends(i).source}->${plan.ends(i).target}`));
    expect(kept.size).toBeLessThanOrEqual(5);
    expect(kept.has("s0->s9")).toBe(true); // the busiest stays itself
    expect(kept.has(`s0->${otherNodeId("service")}`)).toBe(true);
    expect(plan.report!.nodes).toBe(0);
  });

  it("always ends within both limits, whatever the graph", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), fc.nat(40), fc.nat(1000), fc.boolean()), { maxLength: 300 }),
        fc.integer({ min: 8, max: 30 }),
        fc.integer({ min: 1, max: 60 }),
        (raw, maxNodes, maxEdges) => {
          const edges = raw.map(([s, t, r, db]) =>
            edge(`s${s}`, db ? `db${t}` : `s${t}`, r, db ? "database" : "service"),
          );
          const plan = planFold(new Map(), edges, { maxNodes, maxEdges });
          const ends = edges.map((e, i) => ({ ...plan.ends(i), c: e.connectionType }));
          const nodeSet = new Set(ends.flatMap((e) => [e.source, e.target]));
          const edgeSet = new Set(ends.map((e) => `${e.source}|${e.target}|${e.c}`));
          // Edge folding adds at most one "other" node per type on top of the node limit.
          expect(nodeSet.size).toBeLessThanOrEqual(Math.max(maxNodes, 0) + 2);
          expect(edgeSet.size).toBeLessThanOrEqual(Math.max(maxEdges, 4));
        },
      ),
    );
  });
});

describe("/metrics series limit", () => {
  const row = (source: string, at: number): EdgeCounterRow => ({
    source,
    target: "t",
    connectionType: "rpc",
    requests: 1,
    failed: 0,
    clientHist: {},
    serverHist: {},
    firstSeen: new Date(at),
  });

  it("keeps the first edges seen, in the input's order, whatever their names", () => {
    const rows = [row("a", 30), row("b", 10), row("c", 20), row("d", 40)];
    const { kept, dropped } = seriesWithin(rows, 2);
    expect(kept.map((r) => r.source)).toEqual(["b", "c"]);
    expect(dropped.map((r) => r.source)).toEqual(["a", "d"]);
    // A newer edge never pushes an exported one out.
    expect(seriesWithin([row("0-new", 50), ...rows], 2).kept.map((r) => r.source)).toEqual(["b", "c"]);
    expect(seriesWithin(rows, 10)).toEqual({ kept: rows, dropped: [] });
  });

  it("counts the dropped edges and their requests for Prometheus", () => {
    const text = droppedEdgesMetricText([row("a", 1), { ...row("b", 2), requests: 2.5 }]);
    expect(text).toContain("tracemap_service_graph_dropped_edges 2\n");
    expect(text).toContain("tracemap_service_graph_dropped_requests_total 3.5\n");
  });
});

describe("folding a window's totals", () => {
  const hist = (ms: number) => bucketCounts({ [bucketOf(ms * 1e6)]: 1 });
  const edgeRow = (source: string, target: string, requests: number, broker: string | null = null) => ({
    row: {
      source,
      target,
      connectionType: "rpc",
      sourceType: source === "user" ? "user" : "service",
      targetType: "service",
      broker,
      requests,
      failed: 1,
      status4xx: 0,
      throttled: 0,
      rawSpans: BigInt(requests),
      rawFailed: 1n,
    },
    client: [hist(10 * requests)],
    server: [hist(10 * requests)],
  });
  const totals = {
    edges: [edgeRow("user", "a", 100), edgeRow("user", "b", 2, "kafka/x"), edgeRow("user", "c", 3, "kafka/y")],
    services: ["a", "b", "c"].map((service, i) => ({
      row: { service, requests: [100, 2, 3][i]!, failed: 1, rawSpans: 1n },
      hist: [hist(5)],
    })),
    quality: [{ service: "b", orphanSpans: 1n, unpairedClientSpans: 0n, unpairedServerSpans: 0n, rootServerSpans: 2n }],
  };

  it("merges the folded rows as blocks are merged: counters summed, histogram pieces kept, text by max", () => {
    const { totals: folded, report } = foldTotals(totals, { maxNodes: 3, maxEdges: 100 });
    expect(report?.nodes).toBe(2);
    const other = folded.edges.find((e) => e.row.target === otherNodeId("service"))!;
    expect(other.row).toMatchObject({ source: "user", requests: 5, failed: 2, rawSpans: 5n, broker: "kafka/y" });
    expect(other.client).toHaveLength(2);
    expect(folded.edges.find((e) => e.row.target === "a")?.row.requests).toBe(100);
    expect(folded.services.find((s) => s.row.service === otherNodeId("service"))).toMatchObject({
      row: { requests: 5, failed: 2, rawSpans: 2n },
    });
    expect(folded.quality).toEqual([
      {
        service: otherNodeId("service"),
        orphanSpans: 1n,
        unpairedClientSpans: 0n,
        unpairedServerSpans: 0n,
        rootServerSpans: 2n,
      },
    ]);
    // The cached rows it was given are left as they were.
    expect(totals.edges[1]!.row).toMatchObject({ target: "b", requests: 2 });
  });

  it("hands back the same totals within the limits", () => {
    expect(foldTotals(totals, { maxNodes: 10, maxEdges: 10 })).toEqual({ totals, report: null });
  });
});
