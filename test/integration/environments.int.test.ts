import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { envTracesJson } from "../helpers/env-traces";
import { loadGraph } from "../../lib/query/graph";
import { loadMapGraph } from "../../lib/query/map";
import { loadServiceDetail } from "../../lib/query/service";
import { parseWindow } from "../../lib/model/window";
import { searchTraces } from "../../lib/db/trace-search";
import { parseTraceSearch } from "../../lib/domain/trace-search";
import { jaegerDependencies, jaegerMetrics } from "../../lib/query/jaeger";
import { parseMetricsQuery } from "../../lib/domain/jaeger-metrics";
import { parseJaegerSearch } from "../../lib/domain/jaeger";

// The same services in production and staging, staging ten times slower: each environment's map has its own
// figures, and the default map (all) says which environments each node ran in.
let db: TestDatabase;
const start = Date.now() - 5 * 60_000;
const window = (env?: string) =>
  parseWindow(new URLSearchParams({ from: String(start - 60_000), to: String(start + 120_000), ...(env && { env }) }));

beforeAll(async () => {
  db = await createTestDatabase();
  const collector = await startTestCollector(db.sql);
  const prod = "production";
  const res = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: envTracesJson([
      { from: { service: "web", env: prod }, to: { service: "api", env: prod }, count: 40, ms: 20, startMs: start },
      {
        from: { service: "web", env: "staging" },
        to: { service: "api", env: "staging" },
        count: 10,
        ms: 200,
        startMs: start,
      },
      // Production's checkout calls staging's api: a call across environments.
      {
        from: { service: "checkout", env: prod },
        to: { service: "api", env: "staging" },
        count: 5,
        ms: 200,
        startMs: start,
      },
      // A service that names no environment.
      { from: { service: "batch", env: "" }, to: { service: "api", env: "" }, count: 3, ms: 50, startMs: start },
    ]),
  });
  expect(res.status).toBe(200);
  await collector.close();
  await aggregateAll(db.sql);
});
afterAll(async () => {
  await db?.drop();
});

const edge = (g: { edges: { id: string; requests: number; client: { p95: number | null } }[] }, id: string) =>
  g.edges.find((e) => e.id === id);

it("keeps each environment's figures apart; all of them together by default", async () => {
  const all = await loadGraph(db.sql, window().from, window().to);
  expect(edge(all, "web->api")?.requests).toBe(50);

  const prod = await loadGraph(db.sql, window().from, window().to, { envs: ["production"] });
  expect(edge(prod, "web->api")?.requests).toBe(40);
  expect(edge(prod, "web->api")!.client.p95!).toBeLessThan(40);
  expect(prod.nodes.find((n) => n.id === "api")?.requests).toBe(40);

  const staging = await loadGraph(db.sql, window().from, window().to, { envs: ["staging"] });
  expect(edge(staging, "web->api")?.requests).toBe(10);
  expect(edge(staging, "web->api")!.client.p95!).toBeGreaterThan(180);
  // Staging's api also served production's checkout: its own figures are all its server spans.
  expect(staging.nodes.find((n) => n.id === "api")?.requests).toBe(15);

  // "" (shown as "(none)") is an environment like the others.
  const none = await loadGraph(db.sql, window().from, window().to, { envs: [""] });
  expect(none.edges.map((e) => e.id).sort()).toEqual(["batch->api", "user->batch"]);
});

it("draws a call across environments to the callee qualified by its environment", async () => {
  const prod = await loadGraph(db.sql, window().from, window().to, { envs: ["production"] });
  expect(edge(prod, "checkout->api [staging]")?.requests).toBe(5);
  expect(prod.edges.some((e) => e.id === "checkout->api")).toBe(false);
});

it("lists the environments seen and, on the default map, each node's", async () => {
  const all = await loadMapGraph(db.sql, window(), null, 2);
  expect(all.environments).toEqual(["", "production", "staging"]);
  expect(all.nodes.find((n) => n.id === "api")?.envs).toEqual(["", "production", "staging"]);
  expect(all.nodes.find((n) => n.id === "checkout")?.envs).toEqual(["production"]);
  // One environment shown: the nodes need not say it, the selector still lists them all.
  const staging = await loadMapGraph(db.sql, window("staging"), null, 2);
  expect(staging.environments).toEqual(["", "production", "staging"]);
  expect(staging.envs).toEqual(["staging"]);
  expect(staging.nodes.every((n) => n.envs === undefined)).toBe(true);
  // "(none)" in a URL is the spans without an environment.
  expect(window("(none),staging").envs).toEqual(["", "staging"]);
  // One named environment beside spans that name none: nodes are not labelled with it.
  const stagingAndNone = await loadMapGraph(db.sql, window("(none),staging"), null, 2);
  expect(stagingAndNone.nodes.every((n) => n.envs === undefined)).toBe(true);
});

it("gives the service page one environment's series and operations", async () => {
  const prod = await loadServiceDetail(db.sql, "api", window("production"), null);
  const staging = await loadServiceDetail(db.sql, "api", window("staging"), null);
  const sum = (d: typeof prod) => d.series.reduce((s, p) => s + p.requests, 0);
  expect(sum(prod)).toBe(40);
  expect(sum(staging)).toBe(15);
  expect(prod.operations.find((o) => o.name === "GET /items")?.requests).toBe(40);
  expect(staging.node?.p95).toBeGreaterThan(150);
});

it("takes env= on trace search and on the Jaeger API: dependencies, metrics and trace search", async () => {
  const w = { from: new Date(start - 60_000), to: new Date(start + 120_000) };
  const search = (env: string) =>
    searchTraces(db.sql, parseTraceSearch(new URLSearchParams({ service: "api", env })), w, 500);
  const staging = await search("staging");
  expect(staging).toHaveLength(15); // its own 10 and production checkout's 5
  expect(await search("production")).toHaveLength(40);
  expect(await search("(none)")).toHaveLength(3);

  const deps = await jaegerDependencies(db.sql, start + 120_000, 180_000, ["staging"]);
  expect(deps.find((d) => d.parent === "web" && d.child === "api")?.callCount).toBe(10);

  const p95 = async (env: string) => {
    const q = parseMetricsQuery(
      "latencies",
      new URLSearchParams({
        service: "api",
        quantile: "0.95",
        endTs: String(start + 120_000),
        lookback: "180000",
        step: "60000",
        ratePer: "600000",
        env,
      }),
    );
    const family = await jaegerMetrics(db.sql, "latencies", q);
    const values = family.metrics.flatMap((m) => m.metricPoints.map((p) => p.gaugeValue.doubleValue));
    return Math.max(...values);
  };
  expect(await p95("staging")).toBeGreaterThan(150);
  expect(await p95("production")).toBeLessThan(50);

  const v1 = parseJaegerSearch(new URLSearchParams({ service: "api", env: "staging", limit: "100" }));
  expect(v1.search.envs).toEqual(["staging"]);
});
