import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { envTracesJson } from "../helpers/env-traces";
import { loadGraph } from "../../lib/query/graph";
import { loadMapGraph } from "../../lib/query/map";
import { loadServiceDetail } from "../../lib/query/service";
import { metricsText } from "../../lib/query/status";
import { edgeCounters } from "../../lib/db/graph-reads";
import { serviceGraphMetrics, seriesOf } from "../../lib/domain/service-graph-metrics";
import { parseWindow } from "../../lib/model/window";

// Settings are read once per process, on first use: this file's aggregator and reads see this dimension.
process.env.SERVICE_GRAPH_DIMENSIONS = "k8s.cluster.name";

// The same services in two clusters, the us one ten times slower, and eu's web also calling us's api: each
// cluster's map has its own figures, and /metrics carries the cluster as a label, as Tempo's dimensions do.
let db: TestDatabase;
const start = Date.now() - 5 * 60_000;
const window = (...dims: string[]) => {
  const p = new URLSearchParams({ from: String(start - 60_000), to: String(start + 120_000) });
  for (const d of dims) p.append("dim", d);
  return parseWindow(p);
};
const eu = (service: string) => ({ service, env: "production", cluster: "eu" });
const us = (service: string) => ({ service, env: "production", cluster: "us" });

beforeAll(async () => {
  db = await createTestDatabase();
  const collector = await startTestCollector(db.sql);
  const res = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: envTracesJson([
      { from: eu("web"), to: eu("api"), count: 30, ms: 20, startMs: start },
      { from: us("web"), to: us("api"), count: 10, ms: 200, startMs: start },
      { from: eu("web"), to: us("api"), count: 5, ms: 100, startMs: start },
    ]),
  });
  expect(res.status).toBe(200);
  await collector.close();
  await aggregateAll(db.sql);
});
afterAll(async () => {
  await db?.drop();
});

const requestsOf = (g: { edges: { id: string; requests: number }[] }, id: string) =>
  g.edges.find((e) => e.id === id)?.requests;

it("filters the graph by a dimension: an edge counts when its caller or callee has the value", async () => {
  const all = await loadGraph(db.sql, window().from, window().to);
  expect(requestsOf(all, "web->api")).toBe(45);

  const inEu = window("k8s.cluster.name:eu");
  const euGraph = await loadGraph(db.sql, inEu.from, inEu.to, { dims: inEu.dims });
  expect(requestsOf(euGraph, "web->api")).toBe(35);
  expect(euGraph.nodes.find((n) => n.id === "api")?.requests).toBe(30); // eu's api served 30

  const inUs = window("k8s.cluster.name:us");
  const usGraph = await loadGraph(db.sql, inUs.from, inUs.to, { dims: inUs.dims });
  expect(requestsOf(usGraph, "web->api")).toBe(15);
  expect(usGraph.nodes.find((n) => n.id === "api")?.requests).toBe(15);
  expect(usGraph.nodes.find((n) => n.id === "api")!.p95!).toBeGreaterThan(90);

  const nowhere = window("k8s.cluster.name:ap");
  expect((await loadGraph(db.sql, nowhere.from, nowhere.to, { dims: nowhere.dims })).edges).toEqual([]);
  expect(() => window("no-colon")).toThrow(/key:value/);
});

it("lists each dimension's values and each node's value for the map's filters and groups", async () => {
  const map = await loadMapGraph(db.sql, window(), null, 2);
  expect(map.dimensions).toEqual([{ key: "k8s.cluster.name", values: ["eu", "us"] }]);
  // A service in both clusters is grouped with its busiest one.
  expect(map.nodes.find((n) => n.id === "api")?.dims).toEqual({ "k8s.cluster.name": "eu" });
  const filtered = await loadMapGraph(db.sql, window("k8s.cluster.name:us"), null, 2);
  expect(filtered.dims).toEqual({ "k8s.cluster.name": "us" });
  // Under the filter, a service that has the chosen value is grouped with it, whatever its busiest.
  expect(filtered.nodes.find((n) => n.id === "api")?.dims).toEqual({ "k8s.cluster.name": "us" });
  expect(map.nodes.find((n) => n.id === "web")?.dims).toEqual({ "k8s.cluster.name": "eu" });
  expect(filtered.nodes.find((n) => n.id === "web")?.dims).toEqual({ "k8s.cluster.name": "us" });
  expect(filtered.dimensions?.[0]?.values).toEqual(["eu", "us"]); // the choices stay while one is chosen

  const detail = await loadServiceDetail(db.sql, "api", window("k8s.cluster.name:us"), null);
  expect(detail.series.reduce((s, p) => s + p.requests, 0)).toBe(15);
});

it("exports the dimension as a label on Tempo's series, unprefixed by default and client_/server_ with the prefix", async () => {
  const text = await metricsText(db.sql);
  expect(text).toContain(
    'traces_service_graph_request_total{client="web",server="api",connection_type="",k8s_cluster_name="eu"} 35',
  );
  expect(text).toContain(
    'traces_service_graph_request_total{client="web",server="api",connection_type="",k8s_cluster_name="us"} 10',
  );
  const prefixed = serviceGraphMetrics(
    seriesOf(await edgeCounters(db.sql), { dimensions: ["k8s.cluster.name"], clientServerPrefix: true }),
  );
  expect(prefixed).toContain(
    'traces_service_graph_request_total{client="web",server="api",connection_type="",client_k8s_cluster_name="eu",server_k8s_cluster_name="us"} 5',
  );
  // A root's edge has no client side: its client label is empty.
  expect(prefixed).toMatch(
    /traces_service_graph_request_total\{client="user",server="web",connection_type="virtual_node",client_k8s_cluster_name="",server_k8s_cluster_name="eu"\} 35/,
  );
});
