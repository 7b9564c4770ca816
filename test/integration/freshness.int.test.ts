import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { useCollectorDatabase } from "../helpers/collector";
import { aggregateOnce } from "../../lib/aggregator/aggregate";
import { loadGraph } from "../../lib/query/graph";
import { loadEdgeSeries } from "../../lib/query/edges";
import { loadMapGraph } from "../../lib/query/map";
import { postJsonTraces } from "../helpers/json-traces";

// A call whose client and server spans are both stored is counted by the next pass, without the pairing wait; only
// what needs the wait (a caller whose callee may still come) waits for it.
const ctx = useCollectorDatabase();
const WAIT_MS = 5_000; // longer than the steps before the last one take
const hex = (n: number) => randomBytes(n).toString("hex");
const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

async function post(service: string, spans: unknown[]) {
  const res = await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [{ resource: { attributes: [str("service.name", service)] }, scopeSpans: [{ spans }] }],
    }),
  });
  expect(res.status).toBe(200);
}
const pass = async () => {
  await new Promise((r) => setTimeout(r, 5));
  await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });
};
async function edges(): Promise<Record<string, number>> {
  const graph = await loadGraph(ctx.db.sql, new Date(Date.now() - 600_000), new Date(Date.now() + 60_000));
  return Object.fromEntries(graph.edges.map((e) => [`${e.source}->${e.target}`, e.requests]));
}

describe("freshness", () => {
  it("counts a complete pair and a root in the next pass; an unpaired caller waits for its partner's wait", async () => {
    const t = Date.now() - 2000;
    const trace = hex(16);
    const [root, call, served, lonely] = [hex(8), hex(8), hex(8), hex(8)];
    await post("fresh-a", [
      { traceId: trace, spanId: root, name: "GET /", kind: 2, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 50) },
      {
        traceId: trace,
        spanId: call,
        parentSpanId: root,
        name: "call b",
        kind: 3,
        startTimeUnixNano: ns(t + 1),
        endTimeUnixNano: ns(t + 40),
      },
      {
        traceId: trace,
        spanId: lonely,
        parentSpanId: root,
        name: "call ext",
        kind: 3,
        startTimeUnixNano: ns(t + 1),
        endTimeUnixNano: ns(t + 40),
        attributes: [str("peer.service", "fresh-ext")],
      },
    ]);
    await pass();
    await pass();
    // The caller alone: the root counts, the call to fresh-b is not yet a virtual edge (its server may still come).
    expect(await edges()).toEqual({ "user->fresh-a": 1 });

    // The server side arrives two epochs later: the pair counts in the next pass, once.
    await pass();
    await post("fresh-b", [
      {
        traceId: trace,
        spanId: served,
        parentSpanId: call,
        name: "serve",
        kind: 2,
        startTimeUnixNano: ns(t + 2),
        endTimeUnixNano: ns(t + 38),
      },
    ]);
    await pass();
    await pass();
    expect(await edges()).toEqual({ "user->fresh-a": 1, "fresh-a->fresh-b": 1 });
    await pass();
    expect(await edges()).toEqual({ "user->fresh-a": 1, "fresh-a->fresh-b": 1 });

    // The unpaired call to the external API becomes a virtual edge only when its wait is over.
    const [row] = await ctx.db.sql<
      { early: bigint; done: bigint }[]
    >`SELECT early_epoch AS early, processed_epoch AS done FROM aggregator_shards`;
    expect(Number(row!.early)).toBeGreaterThan(Number(row!.done));
    await new Promise((r) => setTimeout(r, WAIT_MS + 500));
    await pass();
    await pass();
    expect(await edges()).toEqual({ "user->fresh-a": 1, "fresh-a->fresh-b": 1, "fresh-a->fresh-ext": 1 });
  });
});

describe("honest windows", () => {
  it("reports a steady rate within 5% over now-2m and now-5m, says what it covers, and marks the last step partial", async () => {
    // 20 calls/s on one edge over the last six minutes and on up to the aggregation pass: posting takes a while on
    // a busy machine, so calls are sent in rounds until they reach the present.
    let until = Date.now() - 360_000;
    while (Date.now() - until > 100) {
      const now = Date.now();
      const traces = Array.from({ length: Math.floor((now - until) / 50) }, (_, i) => ({
        service: "steady-a",
        startMs: until + i * 50,
        durationMs: 4,
        calls: [{ target: "steady-b", durationMs: 2 }],
      }));
      until += traces.length * 50;
      await postJsonTraces(ctx.collector.ports.otlpHttp, traces);
    }
    await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });
    await pass();
    // Time passes without a pass: the window's last seconds are not counted, and must not dilute the rate.
    await new Promise((r) => setTimeout(r, 6000));
    for (const minutes of [2, 5]) {
      const to = new Date();
      const graph = await loadGraph(ctx.db.sql, new Date(to.getTime() - minutes * 60_000), to);
      const edge = graph.edges.find((e) => e.source === "steady-a" && e.target === "steady-b")!;
      expect(edge.ratePerSec).toBeGreaterThan(20 * 0.95);
      expect(edge.ratePerSec).toBeLessThan(20 * 1.05);
      expect(Date.parse(graph.settledUntil!)).toBeLessThan(to.getTime() - 5000);
      expect(graph.coveredSeconds).toBeLessThan(minutes * 60 - 5);
    }
    const to = new Date();
    const series = await loadEdgeSeries(
      ctx.db.sql,
      { source: "steady-a", target: "steady-b", connectionType: "rpc" },
      { from: new Date(to.getTime() - 5 * 60_000), to },
      "1m",
    );
    const last = series.points[series.points.length - 1]!;
    expect(last.partial).toBe(true);
    expect(series.points.filter((p) => !p.partial).length).toBeGreaterThanOrEqual(3);
    for (const p of series.points.filter((x) => !x.partial)) expect(p.ratePerSec).toBeCloseTo(20, 0);
    expect(series.settledUntil).toBe((await loadGraph(ctx.db.sql, new Date(to.getTime() - 60_000), to)).settledUntil);
  }, 60_000);
});

describe("recent health", () => {
  it("turns an edge slow when its last minutes are far slower than its baseline, and leaves a steady one ok", async () => {
    const now = Date.now();
    const calls = (startMs: number, n: number, spacing: number, slowMs: number) =>
      Array.from({ length: n }, (_, i) => ({
        service: "health-a",
        startMs: startMs + i * spacing,
        durationMs: slowMs + 10,
        calls: [
          { target: "health-slow", durationMs: slowMs },
          { target: "health-steady", durationMs: 8 },
        ],
      }));
    // The hour before the window: 10 ms calls; the last minute: 600 ms calls to health-slow.
    await postJsonTraces(ctx.collector.ports.otlpHttp, [
      ...calls(now - 50 * 60_000, 300, 6000, 10),
      ...calls(now - 55_000, 50, 1000, 600),
    ]);
    await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });
    await pass();
    const graph = await loadMapGraph(
      ctx.db.sql,
      // `to` well past the watermark: on a slow run aggregation can take longer than a second, and a window ending
      // before the watermark would (rightly) end its recent part at `to` instead.
      { from: new Date(now - 15 * 60_000), to: new Date(now + 60_000) },
      null,
      1,
    );
    const edge = (id: string) => graph.edges.find((e) => e.id === id)!;
    expect(edge("health-a->health-slow").health).toBe("slow");
    expect(edge("health-a->health-slow").recent!.p95).toBeGreaterThan(500);
    expect(edge("health-a->health-slow").baseline!.p95).toBeLessThan(20);
    expect(edge("health-a->health-steady").health).toBe("ok");
    expect(graph.recentWindow!.to).toBe(graph.settledUntil);
    expect(Date.parse(graph.baselineWindow!.to)).toBeLessThanOrEqual(now - 15 * 60_000);
  }, 60_000);
});
