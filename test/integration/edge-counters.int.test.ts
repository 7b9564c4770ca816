import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces } from "../helpers/json-traces";
import { aggregateAll } from "../helpers/aggregate";
import { edgeCounters, edgeTotals } from "../../lib/db/graph-reads";
import { serviceGraphMetrics } from "../../lib/domain/service-graph-metrics";

const ctx = useCollectorDatabase();

it("keeps per-edge counters equal to the roll-ups across epochs, and renders them with Tempo's service-graph names", async () => {
  const now = Date.now();
  const send = (startMs: number, ms: number, error = false) =>
    postJsonTraces(ctx.collector.ports.otlpHttp, [{ service: "tg-web", startMs, durationMs: ms + 2, calls: [{ target: "tg-api", durationMs: ms, error }, { target: "tg-db", durationMs: 3, virtual: true }] }]);
  await send(now - 120_000, 50);
  await send(now - 110_000, 300, true);
  await aggregateAll(ctx.db.sql);
  await send(now - 60_000, 2000);
  await aggregateAll(ctx.db.sql);

  const counters = await edgeCounters(ctx.db.sql);
  const totals = await edgeTotals(ctx.db.sql, new Date(now - 3600_000), new Date(now + 60_000));
  expect(counters.map((c) => [c.source, c.target, c.connectionType, c.requests, c.failed])).toEqual(
    totals.map((t) => [t.source, t.target, t.connectionType, t.requests, t.failed]),
  );
  expect(counters.find((c) => c.target === "tg-api")!.clientHist).toEqual(totals.find((t) => t.target === "tg-api")!.clientHist);

  const text = serviceGraphMetrics(counters);
  expect(text).toContain('traces_service_graph_request_total{client="tg-web",server="tg-api",connection_type=""} 3');
  expect(text).toContain('traces_service_graph_request_failed_total{client="tg-web",server="tg-api",connection_type=""} 1');
  expect(text).toContain('traces_service_graph_request_total{client="user",server="tg-web",connection_type=""} 3');
  expect(text).toContain('traces_service_graph_request_total{client="tg-web",server="tg-db",connection_type="virtual_node"} 3');
  // 50 ms and 300 ms fall at or below 0.4 s, 2 s only from the 3.2 s bucket on.
  expect(text).toContain('traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="0.4"} 2');
  expect(text).toContain('traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="1.6"} 2');
  expect(text).toContain('traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="3.2"} 3');
  expect(text).toContain('traces_service_graph_request_client_seconds_count{client="tg-web",server="tg-api",connection_type=""} 3');
  const sum = Number(/traces_service_graph_request_client_seconds_sum\{client="tg-web",server="tg-api",connection_type=""\} (\S+)/.exec(text)![1]);
  expect(sum).toBeGreaterThan(2.35 * 0.98);
  expect(sum).toBeLessThan(2.35 * 1.02);
});
