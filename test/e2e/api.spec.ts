import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { startProduct, type RunningProduct } from "../helpers/product";
import { sendShopTraces } from "../helpers/shop-traces";
import { poll } from "../helpers/poll";

let product: RunningProduct;
const api = (path: string) => fetch(`http://127.0.0.1:${product.ports.web}${path}`);
const getJson = async (path: string) => {
  const res = await api(path);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return res.json();
};

beforeAll(async () => {
  product = await startProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
}, 300_000);
afterAll(async () => {
  if (product) expect(await product.stop()).toBe(0);
});

describe("read API over real HTTP", () => {
  it("serves the graph, services, edge series, example traces and whole traces", async () => {
    const expected = await sendShopTraces(
      () => new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpGrpc}` }),
      20,
    );
    const graph = await poll(
      () => getJson("/api/graph?from=now-1h&to=now%2B0m".replace("%2B0m", "")),
      (g) => g.edges.length >= 5,
    );
    const counts = Object.fromEntries(
      graph.edges.map((e: any) => [`${e.source}->${e.target}`, { requests: e.requests, errors: e.errors }]),
    );
    expect(counts).toEqual(expected);
    const orders = graph.edges.find((e: any) => e.target === "orders");
    expect(orders).toMatchObject({ source: "gateway", connectionType: "rpc", errorRate: 0.25 });
    expect(orders.client.p95).toBeGreaterThan(0);

    // Prometheus scrape with Tempo's service-graph names: the same counts as the graph.
    const metrics = await (await fetch(`http://127.0.0.1:${product.ports.web}/metrics`)).text();
    expect(metrics).toContain(
      `traces_service_graph_request_total{client="gateway",server="orders",connection_type=""} ${expected["gateway->orders"]!.requests}`,
    );
    expect(metrics).toContain(
      `traces_service_graph_request_failed_total{client="gateway",server="orders",connection_type=""} ${expected["gateway->orders"]!.errors}`,
    );

    // The Jaeger query API Grafana's Jaeger data source reads (prefix /jaeger).
    expect((await getJson("/jaeger/api/services")).data).toEqual(["gateway", "notify", "orders"]);
    expect((await getJson("/jaeger/api/services/orders/operations")).data.length).toBeGreaterThan(0);
    const found = await getJson(`/jaeger/api/traces?service=orders&lookback=1h&limit=3`);
    expect(found.data).toHaveLength(3);
    const jaegerTrace = found.data[0];
    expect(Object.values(jaegerTrace.processes).map((p: any) => p.serviceName)).toContain("orders");
    expect(
      jaegerTrace.spans.every((s: any) => s.traceID === jaegerTrace.traceID && s.processID in jaegerTrace.processes),
    ).toBe(true);
    const one = await getJson(`/jaeger/api/traces/${jaegerTrace.traceID}`);
    expect(one.data[0].spans).toHaveLength(jaegerTrace.spans.length);
    const deps = (await getJson(`/jaeger/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`)).data;
    expect(deps.find((d: any) => d.parent === "gateway" && d.child === "orders").callCount).toBe(
      expected["gateway->orders"]!.requests,
    );
    expect((await fetch(`http://127.0.0.1:${product.ports.web}/jaeger/api/traces?lookback=1h`)).status).toBe(400);

    // A fresh install has no baseline: "what changed" says so rather than calling every node new.
    const changes = await getJson("/api/changes?from=now-15m");
    expect([changes.baselineEmpty, changes.changes]).toEqual([true, []]);

    const { services } = await getJson("/api/services");
    expect(Object.fromEntries(services.map((s: any) => [s.name, s.type]))).toEqual({
      gateway: "service",
      notify: "service",
      orders: "service",
      "payment-gateway": "external",
      shop: "database",
      user: "user",
    });

    const to = Math.ceil(Date.now() / 60_000) * 60_000;
    const series = await getJson(`/api/edges/gateway/orders/series?from=${to - 30 * 60_000}&to=${to}&step=1m`);
    expect(series.points).toHaveLength(30);
    expect(series.stepSeconds).toBe(60);
    expect(series.points.reduce((s: number, p: any) => s + p.requests, 0)).toBe(20);

    const failed = await getJson("/api/edges/gateway/orders/traces?from=now-1h&kind=errors");
    expect(failed.traces).toHaveLength(5);
    expect(failed.traces.every((t: any) => t.status === "error" && /^[0-9a-f]{32}$/.test(t.traceId))).toBe(true);
    const slowest = await getJson("/api/edges/gateway/orders/traces?from=now-1h&kind=slowest");
    expect(slowest.traces.length).toBeGreaterThanOrEqual(3);
    const durations = slowest.traces.map((t: any) => t.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));

    const trace = await getJson(`/api/traces/${failed.traces[0].traceId}`);
    expect(trace.spans.map((s: any) => s.serviceName).sort()).toEqual([
      "gateway",
      "gateway",
      "gateway",
      "notify",
      "orders",
      "orders",
      "orders",
    ]);
  });

  it("gives the same edges from /api/graph whichever receiver and exporter the traces came through", async () => {
    const senders = {
      "proto-": () => new ProtoExporter({ url: `http://127.0.0.1:${product.ports.otlpHttp}/v1/traces` }),
      "json-": () => new JsonExporter({ url: `http://127.0.0.1:${product.ports.otlpHttp}/v1/traces` }),
      "grpc-": () => new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpGrpc}` }),
      "zipkin-": () => new ZipkinExporter({ url: `http://127.0.0.1:${product.ports.zipkin}/api/v2/spans` }),
    };
    const expected: Record<string, { requests: number; errors: number }> = {};
    for (const [prefix, exporter] of Object.entries(senders))
      Object.assign(expected, await sendShopTraces(exporter, 8, 4, prefix));
    const mine = (g: any) =>
      Object.fromEntries(
        g.edges
          .filter((e: any) => /^(proto|json|grpc|zipkin)-/.test(e.target))
          .map((e: any) => [`${e.source}->${e.target}`, { requests: e.requests, errors: e.errors }]),
      );
    const graph = await poll(
      () => getJson("/api/graph?from=now-1h"),
      (g) => Object.keys(mine(g)).length === 20,
    );
    expect(mine(graph)).toEqual(expected);
    const types = (prefix: string) =>
      graph.nodes
        .filter((n: any) => n.name.startsWith(prefix))
        .map((n: any) => `${n.name.slice(prefix.length)}:${n.type}`)
        .sort();
    for (const prefix of Object.keys(senders)) expect(types(prefix)).toEqual(types("proto-"));
  });

  it("answers bad parameters with 400 and a message, unknown traces with 404", async () => {
    const bad = await api("/api/graph?from=yesterday");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^from: expected ISO-8601/);
    expect((await api("/api/edges/a/b/traces?kind=fastest")).status).toBe(400);
    expect((await api("/api/edges/a/b/series?step=10s")).status).toBe(400);
    expect((await api("/api/traces/xyz")).status).toBe(400);
    expect((await api(`/api/traces/${"ab".repeat(16)}`)).status).toBe(404);
  });

  it("answers pages the same way: 400 for bad parameters (with a link to a fix), 404 for unknown traces and services", async () => {
    const page = async (path: string) => {
      const res = await api(path);
      return { status: res.status, text: await res.text() };
    };
    const badFrom = await page("/?from=yesterday&labels=p95");
    expect(badFrom.status).toBe(400);
    expect(badFrom.text).toContain("from: expected ISO-8601");
    expect(badFrom.text).toContain('href="/?labels=p95"'); // the same view, minus the bad window
    expect((await page("/?from=now-1h&to=now-2h")).text).toContain("from must be before to");
    expect((await page("/services/orders?from=now-90d")).status).toBe(400);
    expect((await page("/traces?from=%3Cscript%3E")).text).not.toContain("<script>");
    const badId = await page("/traces/xyz");
    expect(badId.status).toBe(400);
    expect(badId.text).toContain("not a trace id");
    const unknownTrace = await page(`/traces/${"cd".repeat(16)}`);
    expect(unknownTrace.status).toBe(404);
    expect(unknownTrace.text).toContain("Search recent traces");
    expect((await page("/services/never-seen-anywhere")).status).toBe(404);
    // Known services (the shop's, sent above) and good windows still open.
    expect((await page("/services/orders?from=now-1h")).status).toBe(200);
    expect((await page("/?from=now-1h")).status).toBe(200);
  });

  it("reports p50/p95/p99 within 2% of exact for one minute and for a multi-hour window", async () => {
    const now = Date.now();
    const minuteStart = Math.floor((now - 2 * 3600_000) / 60_000) * 60_000;
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const samples: { start: number; ms: number }[] = [];
    const spans: any[] = [];
    for (let i = 0; i < 24_000; i++) {
      const ms = Math.exp(
        Math.log(30) + 0.9 * Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()),
      );
      const oneMinute = i % 2 === 0;
      const start = oneMinute ? minuteStart + rand() * 59_000 : now - 3 * 3600_000 + rand() * 2.9 * 3600_000;
      samples.push({ start, ms });
      const startNs = BigInt(Math.floor(start)) * 1_000_000n;
      spans.push({
        traceId: (i + 1).toString(16).padStart(32, "a"),
        spanId: (i + 1).toString(16).padStart(16, "b"),
        name: "GET /timed",
        kind: 2,
        startTimeUnixNano: startNs.toString(),
        endTimeUnixNano: (startNs + BigInt(Math.round(ms * 1e6))).toString(),
      });
    }
    const between = (from: number, to: number) =>
      samples.filter((x) => x.start >= from && x.start < to).map((x) => x.ms);
    for (let i = 0; i < spans.length; i += 4000) {
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "timed" } }] },
            scopeSpans: [{ spans: spans.slice(i, i + 4000) }],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      expect(await res.json()).toEqual({});
    }
    const exact = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1]!;
    const check = async (from: number, to: number, values: number[]) => {
      const graph = await poll(
        () => getJson(`/api/graph?from=${from}&to=${to}`),
        (g) => g.edges.find((e: any) => e.target === "timed")?.requests === values.length,
      );
      const edge = graph.edges.find((e: any) => e.target === "timed");
      expect(edge.requests).toBe(values.length);
      const node = graph.nodes.find((n: any) => n.name === "timed");
      for (const [q, key] of [
        [0.5, "p50"],
        [0.95, "p95"],
        [0.99, "p99"],
      ] as const) {
        expect(Math.abs(edge.server[key] - exact(values, q)) / exact(values, q)).toBeLessThan(0.02);
        expect(Math.abs(node[key] - exact(values, q)) / exact(values, q)).toBeLessThan(0.02);
      }
    };
    await check(minuteStart, minuteStart + 60_000, between(minuteStart, minuteStart + 60_000));
    await check(now - 4 * 3600_000, now + 60_000, between(now - 4 * 3600_000, now + 60_000));
  });
});
