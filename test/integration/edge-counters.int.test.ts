import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces } from "../helpers/json-traces";
import { aggregateAll } from "../helpers/aggregate";
import { edgeCounters, edgeTotals } from "../../lib/db/graph-reads";
import { serviceGraphMetrics, seriesOf } from "../../lib/domain/service-graph-metrics";
import { defaultGraphSettings } from "../../lib/domain/dimensions";

const ctx = useCollectorDatabase();

it("keeps per-edge counters equal to the roll-ups across epochs, and renders them with Tempo's service-graph names", async () => {
  const now = Date.now();
  const send = (startMs: number, ms: number, error = false) =>
    postJsonTraces(ctx.collector.ports.otlpHttp, [
      {
        service: "tg-web",
        startMs,
        durationMs: ms + 2,
        calls: [
          { target: "tg-api", durationMs: ms, error },
          { target: "tg-db", durationMs: 3, virtual: true },
        ],
      },
    ]);
  await send(now - 120_000, 50);
  await send(now - 110_000, 300, true);
  await aggregateAll(ctx.db.sql);
  await send(now - 60_000, 2000);
  await aggregateAll(ctx.db.sql);

  const counters = await edgeCounters(ctx.db.sql);
  const totals = await edgeTotals(ctx.db.sql, { from: new Date(now - 3600_000), to: new Date(now + 60_000) });
  expect(counters.map((c) => [c.source, c.target, c.connectionType, c.requests, c.failed])).toEqual(
    totals.map((t) => [t.source, t.target, t.connectionType, t.requests, t.failed]),
  );
  expect(counters.find((c) => c.target === "tg-api")!.clientHist).toEqual(
    totals.find((t) => t.target === "tg-api")!.clientHist,
  );

  const text = serviceGraphMetrics(seriesOf(counters, defaultGraphSettings));
  expect(text).toContain('traces_service_graph_request_total{client="tg-web",server="tg-api",connection_type=""} 3');
  expect(text).toContain(
    'traces_service_graph_request_failed_total{client="tg-web",server="tg-api",connection_type=""} 1',
  );
  // Tempo labels a root's edge from "user" (a node it infers) virtual_node.
  expect(text).toContain(
    'traces_service_graph_request_total{client="user",server="tg-web",connection_type="virtual_node"} 3',
  );
  expect(text).toContain(
    'traces_service_graph_request_total{client="tg-web",server="tg-db",connection_type="virtual_node"} 3',
  );
  // 50 ms and 300 ms fall at or below 0.4 s, 2 s only from the 3.2 s bucket on.
  expect(text).toContain(
    'traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="0.4"} 2',
  );
  expect(text).toContain(
    'traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="1.6"} 2',
  );
  expect(text).toContain(
    'traces_service_graph_request_client_seconds_bucket{client="tg-web",server="tg-api",connection_type="",le="3.2"} 3',
  );
  expect(text).toContain(
    'traces_service_graph_request_client_seconds_count{client="tg-web",server="tg-api",connection_type=""} 3',
  );
  const sum = Number(
    /traces_service_graph_request_client_seconds_sum\{client="tg-web",server="tg-api",connection_type=""\} (\S+)/.exec(
      text,
    )![1],
  );
  expect(sum).toBeGreaterThan(2.35 * 0.98);
  expect(sum).toBeLessThan(2.35 * 1.02);

  // Rows of another histogram scheme (what a future bucket change would write) are kept apart, never merged in.
  const sql = ctx.db.sql;
  await sql`
    INSERT INTO edge_minutes (minute, env, dims, source, target, connection_type, source_type, target_type, broker,
      requests, failed, status_4xx, throttled, raw_spans, raw_failed, client_hist, server_hist, hist_scheme)
    SELECT minute, env, dims, source, target, connection_type, source_type, target_type, broker,
      requests * 100, failed, status_4xx, throttled, raw_spans, raw_failed, '{"7": 1}', server_hist, 2 FROM edge_minutes`;
  await sql`
    INSERT INTO edge_counters (source, target, connection_type, dims, requests, failed, client_hist, server_hist,
      source_type, target_type, hist_scheme)
    SELECT source, target, connection_type, dims, requests * 100, failed, '{"7": 1}', server_hist, source_type,
      target_type, 2 FROM edge_counters`;
  const again = await edgeTotals(sql, { from: new Date(now - 3600_000), to: new Date(now + 60_000) });
  expect(again.map((t) => [t.source, t.target, t.requests])).toEqual(
    totals.map((t) => [t.source, t.target, t.requests]),
  );
  expect(again.find((t) => t.target === "tg-api")!.clientHist).toEqual(
    totals.find((t) => t.target === "tg-api")!.clientHist,
  );
  expect((await edgeCounters(sql)).map((c) => c.requests)).toEqual(counters.map((c) => c.requests));
});

it("labels edges as Tempo does and gives database edges server seconds from the client side", () => {
  const hist = { "0": 2 }; // one bucket, two calls
  const row = (
    connectionType: string,
    sourceType: string,
    targetType: string,
    serverHist: Record<string, number> = {},
  ) => ({
    source: "a",
    target: `${connectionType}-${sourceType}-${targetType}`,
    connectionType,
    requests: 2,
    failed: 0,
    clientHist: hist,
    serverHist,
    sourceType,
    targetType,
  });
  const text = serviceGraphMetrics(
    seriesOf(
      [
        row("rpc", "service", "service", hist),
        row("rpc", "user", "service", hist),
        row("messaging", "service", "service", hist),
        row("messaging", "service", "messaging"),
        row("messaging", "service", "unknown"),
        row("database", "service", "database"),
        row("virtual", "service", "external"),
        row("rpc", "", "", hist),
        row("messaging", "", "", hist),
      ],
      defaultGraphSettings,
    ),
  );
  const label = (target: string) =>
    /connection_type="([^"]*)"/.exec(text.split("\n").find((l) => l.includes(`server="${target}"`))!)![1];
  expect([
    label("rpc-service-service"),
    label("rpc-user-service"),
    label("messaging-service-service"),
    label("messaging-service-messaging"),
    label("messaging-service-unknown"),
    label("database-service-database"),
    label("virtual-service-external"),
    label("rpc--"),
    label("messaging--"),
  ]).toEqual([
    "",
    "virtual_node",
    "messaging_system",
    "virtual_node",
    "virtual_node",
    "database",
    "virtual_node",
    "",
    "messaging_system",
  ]);
  expect(text).toContain(
    'traces_service_graph_request_server_seconds_count{client="a",server="database-service-database",connection_type="database"} 2',
  );
  expect(text).not.toContain(
    'traces_service_graph_request_server_seconds_count{client="a",server="virtual-service-external"',
  );
});
