import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces, type SeedTrace } from "../helpers/json-traces";
import { aggregateAll } from "../helpers/aggregate";
import { loadServiceDetail } from "../../lib/query/service";
import { loadEdgeExamples, loadEdgeSeries } from "../../lib/query/edges";

const ctx = useCollectorDatabase();

it("service page figures: operations, callers, callees, series and a deploy; exemplars answer 'at or below' for any value", async () => {
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  // Version 1.0 in the first minute, 2.0 (slower) in the third: one deploy of sv-orders.
  const durations = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377];
  const trace = (startMs: number, ms: number, target = "sv-orders"): SeedTrace => ({
    service: "sv-web",
    startMs,
    durationMs: ms + 2,
    calls: [{ target, durationMs: ms }],
  });
  await postJsonTraces(
    ctx.collector.ports.otlpHttp,
    durations.map((d, i) => trace(minute + i * 1000, d)),
    {},
    { "sv-orders": "1.0.0" },
  );
  await postJsonTraces(
    ctx.collector.ports.otlpHttp,
    [trace(minute + 120_000, 500), trace(minute + 121_000, 40, "sv-db")],
    {},
    { "sv-orders": "2.0.0" },
  );
  await aggregateAll(ctx.db.sql);

  const range = { from: new Date(minute - 60_000), to: new Date(minute + 5 * 60_000) };
  const detail = await loadServiceDetail(ctx.db.sql, "sv-web", range, "1m");
  expect(detail.node?.requests).toBe(14);
  // Operations are what the service serves (its server and consumer spans), like its node figures.
  expect(detail.operations.map((o) => [o.name, o.requests])).toEqual([["GET /sv-web", 14]]);
  expect(detail.callers.map((e) => e.source)).toEqual(["user"]);
  expect(detail.callees.map((e) => e.target).sort()).toEqual(["sv-db", "sv-orders"]);
  expect(detail.series).toHaveLength(6);
  expect(detail.series.map((p) => p.requests)).toEqual([0, 12, 0, 2, 0, 0]);

  const orders = await loadServiceDetail(ctx.db.sql, "sv-orders", range, "1m");
  expect(orders.deploys.map((d) => [d.version, Date.parse(d.at)])).toEqual([["2.0.0", minute + 120_001]]);
  expect(orders.node?.quality.orphanSpans).toBe(0);
  expect(orders.operations.map((o) => [o.name, o.requests, o.errors])).toEqual([["serve sv-orders", 13, 0]]);
  expect(orders.operations[0]!.p99).toBeGreaterThan(300);
  const edge = { source: "sv-web", target: "sv-orders", connectionType: "rpc" };
  const series = await loadEdgeSeries(ctx.db.sql, edge, range, "1m");
  expect(series.deploys.map((d) => d.version)).toEqual(["2.0.0"]);

  // Clicked value 60 ms in the first minute: the slowest calls at or below it, slowest first, none above.
  const firstMinute = { from: new Date(minute), to: new Date(minute + 60_000) };
  const below = await loadEdgeExamples(ctx.db.sql, edge, firstMinute, "slowest", 20, 60);
  expect(below.length).toBeGreaterThanOrEqual(3);
  expect(below[0]!.durationMs).toBeCloseTo(55, 0);
  expect(below.every((b, i) => b.durationMs <= 60 && (i === 0 || below[i - 1]!.durationMs >= b.durationMs))).toBe(true);
  // Every latency band has its exemplar: even a value far below the slowest finds its neighbour.
  const small = await loadEdgeExamples(ctx.db.sql, edge, firstMinute, "slowest", 20, 4);
  expect(small[0]!.durationMs).toBeCloseTo(3, 0);
  expect(await loadEdgeExamples(ctx.db.sql, edge, firstMinute, "slowest", 20, 1)).toEqual([]);
});
