import { afterAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { aggregateAll } from "../helpers/aggregate";
import { loadGraph } from "../../lib/query/graph";
import type { RunningCollector } from "../../lib/ingest/collector";

const exporters: Record<string, (c: RunningCollector) => SpanExporter> = {
  "otlp-proto": (c) => new ProtoExporter({ url: `http://127.0.0.1:${c.ports.otlpHttp}/v1/traces` }),
  "otlp-json": (c) => new JsonExporter({ url: `http://127.0.0.1:${c.ports.otlpHttp}/v1/traces` }),
  "otlp-grpc": (c) => new GrpcExporter({ url: `http://127.0.0.1:${c.ports.otlpGrpc}` }),
  zipkin: (c) => new ZipkinExporter({ url: `http://127.0.0.1:${c.ports.zipkin}/api/v2/spans` }),
};

const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

describe("edges from traces sent through every receiver", () => {
  const graphs: Record<string, Record<string, unknown>> = {};

  it.each(Object.keys(exporters))("%s: the shop topology becomes the expected edges", async (name) => {
    const db = await createTestDatabase();
    dbs.push(db);
    const collector = await startTestCollector(db.sql);
    const expected = await sendShopTraces(() => exporters[name]!(collector), 12);
    await collector.close();
    await aggregateAll(db.sql);

    const graph = await loadGraph(db.sql, new Date(Date.now() - 3600_000), new Date(Date.now() + 60_000));
    const got = Object.fromEntries(
      graph.edges.map((e) => [`${e.source}->${e.target}`, { requests: e.requests, errors: e.errors }]),
    );
    expect(got).toEqual(expected);
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.name, n.type]));
    expect(byId).toEqual({
      user: "user",
      gateway: "service",
      orders: "service",
      "payment-gateway": "external",
      shop: "database",
      notify: "service",
    });
    const kafka = graph.edges.find((e) => e.target === "notify")!;
    expect(kafka.connectionType).toBe("messaging");
    expect(kafka.broker).toBe("kafka/orders");
    const orders = graph.edges.find((e) => e.target === "orders")!;
    expect(orders.client.p50).toBeGreaterThan(0);
    expect(orders.server.p50).toBeGreaterThan(0);
    expect(orders.client.p99! >= orders.server.p99! * 0.98).toBe(true);
    graphs[name] = got;
  });

  it("gives the same edges whichever receiver the spans came through", () => {
    expect(Object.keys(graphs)).toHaveLength(4);
    for (const g of Object.values(graphs)) expect(g).toEqual(graphs["otlp-proto"]);
  });
});
