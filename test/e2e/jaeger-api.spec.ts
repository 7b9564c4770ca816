// Tracemap as a Jaeger query service at /jaeger, checked the way Jaeger UI (v1 and v3 clients, Monitor tab) and
// Grafana's Jaeger data source call it, over real HTTP against the whole product.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { z } from "zod";
import {
  envelopeV1,
  errorV1,
  errorV3,
  metricFamily,
  operationsV3,
  servicesV3,
  traceSummariesV3,
  tracesV3,
  traceV1,
} from "../helpers/jaeger-schemas";
import { startProduct, type RunningProduct } from "../helpers/product";
import { postJsonTraces } from "../helpers/json-traces";
import { sendShopTraces } from "../helpers/shop-traces";
import { poll } from "../helpers/poll";

let product: RunningProduct;
const call = (path: string) => fetch(`http://127.0.0.1:${product.ports.web}/jaeger${path}`);
/** A 200 whose body has the shape Jaeger UI requires (parse throws with the path of any mismatch). */
const ok = async (path: string, shape: z.ZodTypeAny) => {
  const res = await call(path);
  expect(res.status, `${path}: ${res.status} ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
  const body = await res.json();
  shape.parse(body);
  return body;
};
const traces = envelopeV1(z.array(traceV1));
const q = (o: Record<string, string>) => new URLSearchParams(o).toString();

const hex = (n: number, seed: number) => seed.toString(16).padStart(n * 2, "0");
const BLOB_TRACE = hex(16, 0xb10b);
const t0 = Date.now();
const startIso = new Date(t0 - 3_600_000).toISOString();
const endIso = () => new Date(Date.now() + 60_000).toISOString();

beforeAll(async () => {
  product = await startProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
  // 12 shop orders through the real SDK: orders' server span fails in 3 of them (every 4th).
  await sendShopTraces(
    () => new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpHttp}/v1/traces` }),
    12,
    4,
  );
  // A span with a bytes attribute and a resource attribute (OTLP JSON: the SDK has no bytes values).
  const ns = (BigInt(t0) * 1_000_000n).toString();
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: "blobby" } },
              { key: "deployment.environment", value: { stringValue: "prod-x" } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: "blob-lib", version: "2.0" },
              spans: [
                {
                  traceId: BLOB_TRACE,
                  spanId: hex(8, 1),
                  name: "store",
                  kind: 2,
                  startTimeUnixNano: ns,
                  endTimeUnixNano: ns,
                  attributes: [{ key: "blob", value: { bytesValue: "AAEC" } }],
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
  // Server spans three minutes ago for the metrics API (whole minutes before the watermark): 30 calls of 100 ms.
  await postJsonTraces(
    product.ports.otlpHttp,
    Array.from({ length: 30 }, (_, i) => ({
      service: "metered",
      startMs: Math.floor(t0 / 60_000) * 60_000 - 3 * 60_000 + i * 1000,
      durationMs: 100,
      calls: [],
    })),
  );
}, 300_000);
afterAll(async () => {
  if (product) expect(await product.stop()).toBe(0);
});

const orderTraces = (tags: Record<string, string>, extra: Record<string, string> = {}) =>
  ok(
    `/api/traces?${q({ service: "orders", lookback: "1h", limit: "100", tags: JSON.stringify(tags), ...extra })}`,
    traces,
  );

describe("Jaeger v1 query API", () => {
  it("matches tags on span attributes, resource attributes and the synthesized tags, all on one span", async () => {
    const errors = await poll(
      () => orderTraces({ error: "true" }),
      (r) => r.data.length === 3,
    );
    expect(errors.data).toHaveLength(3);
    for (const t of errors.data) {
      expect(t.spans.some((s: any) => s.tags.some((g: any) => g.key === "error" && g.value === true))).toBe(true);
    }
    expect((await orderTraces({ "span.kind": "server", "otel.status_code": "ERROR" })).data).toHaveLength(3);
    expect((await orderTraces({ "span.kind": "client" }, { operation: "INSERT orders" })).data).toHaveLength(12);
    // Both tags must hold on the same span: orders' client spans never fail.
    expect((await orderTraces({ error: "true", "span.kind": "client" })).data).toHaveLength(0);
    const byTag = await ok(
      `/api/traces?${q({ service: "orders", lookback: "1h", limit: "100", tag: "db.system:postgresql" })}`,
      traces,
    );
    expect(byTag.data).toHaveLength(12);
    const env = (v: string) =>
      ok(
        `/api/traces?${q({ service: "blobby", lookback: "1h", tags: JSON.stringify({ "deployment.environment": v }) })}`,
        traces,
      );
    expect(
      (
        await poll(
          () => env("prod-x"),
          (r) => r.data.length === 1,
        )
      ).data,
    ).toHaveLength(1);
    expect((await env("prod-y")).data).toHaveLength(0);
    expect((await orderTraces({}, { minDuration: "1m30s" })).data).toHaveLength(0);
  });

  it("looks up several trace ids at once and reports the missing ones beside the data", async () => {
    const found = (await orderTraces({ error: "true" })).data.map((t: any) => t.traceID);
    const missing = "f".repeat(32);
    const res = await ok(`/api/traces?traceID=${found[0]}&traceID=${found[1]}&traceID=${missing}`, traces);
    expect(res.data.map((t: any) => t.traceID).sort()).toEqual([found[0], found[1]].sort());
    expect(res.errors).toEqual([{ code: 404, msg: "trace not found", traceID: missing }]);
  });

  it("archives a trace as Jaeger UI's archive button does: the trace is pinned", async () => {
    const found = (await orderTraces({ error: "true" })).data.map((t: any) => t.traceID);
    const post = (id: string) =>
      fetch(`http://127.0.0.1:${product.ports.web}/jaeger/api/archive/${id}`, { method: "POST" });
    const res = await post(found[0]);
    expect(res.status).toBe(200);
    expect((await res.json()).data).toEqual([]);
    const pins = await fetch(`http://127.0.0.1:${product.ports.web}/traces?pinned=1`).then((r) => r.text());
    expect(pins).toContain(found[0]);
    expect(pins).toContain("Jaeger UI (archive)");
    const gone = await post("f".repeat(32));
    expect(gone.status).toBe(404);
    expect((await gone.json()).errors[0].msg).toBe("trace not found");
  });

  it("gives bytes as binary tags, scope tags, operations with kinds, and errors in Jaeger's envelope", async () => {
    const blob = (await ok(`/api/traces/${BLOB_TRACE}`, traces)).data[0];
    expect(blob.spans[0].tags).toEqual(
      expect.arrayContaining([
        { key: "blob", type: "binary", value: "AAEC" },
        { key: "otel.scope.name", type: "string", value: "blob-lib" },
      ]),
    );
    expect(Object.values(blob.processes)[0]).toMatchObject({
      serviceName: "blobby",
      tags: [{ key: "deployment.environment", type: "string", value: "prod-x" }],
    });
    expect(
      (await ok("/api/operations?service=orders&spanKind=server", envelopeV1(operationsV3.shape.operations))).data,
    ).toEqual([{ name: "POST /orders", spanKind: "server" }]);
    expect((await ok("/api/operations?service=orders", envelopeV1(operationsV3.shape.operations))).data).toEqual(
      expect.arrayContaining([
        { name: "INSERT orders", spanKind: "client" },
        { name: "orders publish", spanKind: "producer" },
      ]),
    );
    for (const [path, status] of [
      ["/api/traces?lookback=1h", 400],
      ["/api/traces?service=a&minDuration=fast", 400],
      [`/api/traces/${"e".repeat(32)}`, 404],
      ["/api/traces/xyz", 400],
    ] as const) {
      const res = await call(path);
      expect(res.status, path).toBe(status);
      const body = errorV1.parse(await res.json());
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toMatchObject({ code: status, msg: expect.any(String) });
    }
  });
});

describe("Jaeger query API v3", () => {
  it("lists services and operations as Jaeger UI's v3 client reads them", async () => {
    const { services } = await ok("/api/v3/services", servicesV3);
    expect(services).toEqual(expect.arrayContaining(["blobby", "gateway", "metered", "notify", "orders"]));
    const { operations } = await ok("/api/v3/operations?service=orders&spanKind=server", operationsV3);
    expect(operations).toEqual([{ name: "POST /orders", spanKind: "server" }]);
  });

  it("finds trace summaries with root, times and per-service span and error counts", async () => {
    const { summaries } = await ok(
      `/api/v3/trace-summaries?${q({
        "query.serviceName": "orders",
        "query.startTimeMin": startIso,
        "query.startTimeMax": endIso(),
        "query.attributes": '{"error":"true"}',
        "query.searchDepth": "20",
      })}`,
      traceSummariesV3,
    );
    expect(summaries).toHaveLength(3);
    for (const s of summaries) {
      expect(s).toMatchObject({
        rootServiceName: "gateway",
        rootOperationName: "POST /checkout",
        spanCount: 7,
        errorSpanCount: 1,
        orphanSpanCount: 0,
      });
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(BigInt(s.maxEndTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.minStartTimeUnixNano));
      expect(s.services.find((x: any) => x.name === "orders")).toEqual({
        name: "orders",
        spanCount: 3,
        errorSpanCount: 1,
      });
    }
  });

  it("returns traces as OTLP JSON, by id and by query, and errors as its gateway does", async () => {
    const { result } = await ok(`/api/v3/traces/${BLOB_TRACE}`, tracesV3);
    expect(result.resourceSpans).toHaveLength(1);
    const rs = result.resourceSpans[0];
    expect(rs.resource.attributes).toEqual(
      expect.arrayContaining([{ key: "service.name", value: { stringValue: "blobby" } }]),
    );
    expect(rs.scopeSpans[0].scope).toEqual({ name: "blob-lib", version: "2.0" });
    expect(rs.scopeSpans[0].spans[0]).toMatchObject({
      traceId: BLOB_TRACE,
      name: "store",
      kind: 2,
      attributes: [{ key: "blob", value: { bytesValue: "AAEC" } }],
    });
    const found = await ok(
      `/api/v3/traces?${q({ "query.serviceName": "orders", "query.startTimeMin": startIso, "query.startTimeMax": endIso(), "query.attributes": '{"error":"true"}' })}`,
      tracesV3,
    );
    const spans = found.result.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans));
    expect(new Set(spans.map((s: any) => s.traceId)).size).toBe(3);
    expect(spans).toHaveLength(21);
    const missing = await call(`/api/v3/traces/${"e".repeat(32)}`);
    expect([missing.status, errorV3.parse(await missing.json())]).toEqual([
      404,
      { error: { httpCode: 404, message: "No traces found" } },
    ]);
    const bad = await call("/api/v3/trace-summaries?query.serviceName=orders");
    expect(bad.status).toBe(400);
    expect(errorV3.parse(await bad.json()).error).toMatchObject({
      httpCode: 400,
      message: expect.stringMatching(/startTimeMin/),
    });
  });
});

describe("Jaeger metrics API (Monitor tab)", () => {
  it("gives call rate, error rate and latency quantiles per service and per operation from the roll-ups", async () => {
    const base = {
      service: "metered",
      endTs: String(Date.now()),
      lookback: "900000",
      step: "60000",
      ratePer: "600000",
      spanKind: "server",
    };
    const calls = await poll(
      () => ok(`/api/metrics/calls?${q(base)}`, metricFamily),
      (m) => m.metrics[0]?.metricPoints.some((p: any) => p.gaugeValue.doubleValue > 0),
    );
    expect(calls).toMatchObject({ name: "service_call_rate", type: "GAUGE" });
    expect(calls.metrics[0].labels).toEqual([{ name: "service_name", value: "metered" }]);
    // 30 calls inside the ten minutes before the newest point: 0.05 calls/s.
    expect(calls.metrics[0].metricPoints.at(-1).gaugeValue.doubleValue).toBeCloseTo(30 / 600, 6);
    const latency = await ok(`/api/metrics/latencies?${q({ ...base, quantile: "0.95" })}`, metricFamily);
    expect(latency.name).toBe("service_latencies");
    expect(latency.metrics[0].metricPoints.at(-1).gaugeValue.doubleValue).toBeGreaterThan(98);
    expect(latency.metrics[0].metricPoints.at(-1).gaugeValue.doubleValue).toBeLessThan(102);
    const errors = await ok(`/api/metrics/errors?${q(base)}`, metricFamily);
    expect(errors.metrics[0].metricPoints.at(-1).gaugeValue.doubleValue).toBe(0);
    const byOp = await ok(`/api/metrics/calls?${q({ ...base, groupByOperation: "true" })}`, metricFamily);
    expect(byOp.name).toBe("service_operation_call_rate");
    expect(byOp.metrics.map((m: any) => m.labels[1])).toEqual([{ name: "operation", value: "GET /metered" }]);
    expect((await ok("/api/metrics/minstep", envelopeV1(z.number().int()))).data).toBe(60_000);
    const bad = await call("/api/metrics/latencies?service=metered");
    expect(bad.status).toBe(400);
    expect(errorV1.parse(await bad.json()).errors[0]!.msg).toMatch(/quantile/);
  });
});
