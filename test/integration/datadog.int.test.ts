import { expect, it } from "vitest";
import tracer from "dd-trace";
import { encode } from "@msgpack/msgpack";
import { useCollectorDatabase } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { findTraceSpans } from "../../lib/db/span-reads";
import { edgeTotals } from "../../lib/db/graph-reads";

const ctx = useCollectorDatabase();

it("takes traces from the real dd-trace client on the agent API and maps them into spans and edges", async () => {
  tracer.init({
    hostname: "127.0.0.1",
    port: ctx.collector.ports.datadog,
    flushInterval: 50,
    plugins: false,
    startupLogs: false,
    telemetry: { enabled: false },
    remoteConfig: { enabled: false },
    runtimeMetrics: false,
    logInjection: false,
  } as never);
  let traceId = "";
  await tracer.trace("web.request", { service: "dd-shop", resource: "GET /cart", type: "web" }, async (root) => {
    if (!root) throw new Error("no span");
    root.setTag("span.kind", "server");
    root.setTag("http.status_code", "200");
    // 128-bit trace id as hex (dd-trace keeps the upper half in _dd.p.tid).
    traceId = (root.context() as unknown as { toTraceId(hex: boolean): string }).toTraceId(true);
    await tracer.trace("pg.query", { service: "dd-shop", resource: "SELECT * FROM carts", type: "sql" }, async (db) => {
      if (!db) throw new Error("no span");
      db.setTag("span.kind", "client");
      db.setTag("peer.service", "carts-db");
      db.setTag("db.system", "postgresql");
    });
    await tracer.trace("http.request", { service: "dd-shop", resource: "POST /charge", type: "http" }, async (call) => {
      if (!call) throw new Error("no span");
      call.setTag("span.kind", "client");
      call.setTag("error", new Error("payment declined"));
      await tracer.trace(
        "web.request",
        { service: "dd-payments", resource: "POST /charge", type: "web", childOf: call.context() },
        async (srv) => {
          if (!srv) throw new Error("no span");
          srv.setTag("span.kind", "server");
          srv.setTag("http.status_code", "402");
        },
      );
    });
  });
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  await expect.poll(async () => (await findTraceSpans(ctx.db.sql, traceId)).length, { timeout: 15_000 }).toBe(4);
  const spans = await findTraceSpans(ctx.db.sql, traceId);
  const root = spans.find((s) => s.parentSpanId === null)!;
  expect(root).toMatchObject({
    serviceName: "dd-shop",
    name: "GET /cart",
    kind: 2,
    attributes: { "dd.operation": "web.request", "http.response.status_code": 200 },
  });
  const charge = spans.find((s) => s.kind === 3 && s.name === "POST /charge")!;
  expect(charge).toMatchObject({ statusCode: 2, statusMessage: "payment declined", parentSpanId: root.spanId });
  expect(spans.find((s) => s.serviceName === "dd-payments")).toMatchObject({ kind: 2, parentSpanId: charge.spanId });

  await aggregateAll(ctx.db.sql);
  const edges = await edgeTotals(ctx.db.sql, {
    from: new Date(Date.now() - 3600_000),
    to: new Date(Date.now() + 60_000),
  });
  expect(edges.map((e) => [e.source, e.target, e.targetType, e.failed])).toEqual([
    ["dd-shop", "carts-db", "database", 0],
    ["dd-shop", "dd-payments", "service", 1],
    ["user", "dd-shop", "service", 0],
  ]);
}, 60_000);

it("answers a malformed or invalid payload with 400 and keeps the valid spans of it", async () => {
  const url = `http://127.0.0.1:${ctx.collector.ports.datadog}/v0.4/traces`;
  const bad = await fetch(url, {
    method: "PUT",
    body: "not msgpack",
    headers: { "content-type": "application/msgpack" },
  });
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain("msgpack");
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (id: bigint, extra = {}) => ({
    trace_id: 77n,
    span_id: id,
    parent_id: 0n,
    name: "job",
    resource: "nightly",
    service: "dd-batch",
    type: "worker",
    start: now,
    duration: 1000n,
    error: 0,
    meta: {},
    metrics: {},
    ...extra,
  });
  const res = await fetch(url, {
    method: "PUT",
    body: encode([[span(1n), span(2n, { duration: -5n })]], { useBigInt64: true }),
    headers: { "content-type": "application/msgpack" },
  });
  expect(res.status).toBe(200);
  expect(await findTraceSpans(ctx.db.sql, "0".repeat(16) + (77).toString(16).padStart(16, "0"))).toHaveLength(1);
});

it("rejects a span whose start is not a finite number on its own, keeping its siblings", async () => {
  const url = `http://127.0.0.1:${ctx.collector.ports.datadog}/v0.4/traces`;
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (id: bigint, extra = {}) => ({
    trace_id: 78n,
    span_id: id,
    parent_id: 0n,
    name: "job",
    resource: "nightly",
    service: "dd-batch",
    type: "worker",
    start: now,
    duration: 1000n,
    error: 0,
    meta: {},
    metrics: {},
    ...extra,
  });
  const body = encode([[span(1n), span(2n, { start: Infinity }), span(3n, { duration: Number.NaN })]], {
    useBigInt64: true,
  });
  const res = await fetch(url, { method: "PUT", body, headers: { "content-type": "application/msgpack" } });
  expect(res.status).toBe(200);
  expect(
    (await findTraceSpans(ctx.db.sql, "0".repeat(16) + (78).toString(16).padStart(16, "0"))).map((s) => s.spanId),
  ).toEqual(["0000000000000001"]);
});
