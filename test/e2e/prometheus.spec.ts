import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { useProduct } from "../helpers/product";
import { sendShopTraces } from "../helpers/shop-traces";
import { postJsonTraces, type SeedTrace } from "../helpers/json-traces";
import { poll } from "../helpers/poll";

// A real Prometheus (Debian's, installed by .ci/run) scrapes /metrics: what it parses and stores must be the graph's
// figures, and the series past MAX_GRAPH_EDGES must be counted, not exported. A configured dimension (service.name,
// which every span's resource has) comes as Tempo's client_/server_ labels.
let prometheus: ChildProcess;
const dir = mkdtempSync(path.join(tmpdir(), "tracemap-prometheus-"));
const promPort = 20000 + Math.floor(Math.random() * 9000);
const MAX_EDGES = 8;
const ctx = useProduct({
  AGGREGATOR_INTERVAL_MS: "200",
  AGGREGATOR_WAIT_MS: "500",
  MAX_GRAPH_EDGES: String(MAX_EDGES),
  SERVICE_GRAPH_DIMENSIONS: "service.name",
  SERVICE_GRAPH_ENABLE_CLIENT_SERVER_PREFIX: "true",
});

beforeAll(() => {
  const { product } = ctx;
  writeFileSync(
    path.join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, scrape_timeout: 1s }",
      "scrape_configs:",
      "  - job_name: tracemap",
      "    metrics_path: /metrics",
      `    static_configs: [{ targets: ["127.0.0.1:${product.ports.web}"] }]`,
    ].join("\n"),
  );
  prometheus = spawn(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: "ignore" },
  );
  prometheus.on("error", (e) => {
    throw new Error(`cannot run prometheus (apt-get install prometheus; .ci/run does): ${e.message}`);
  });
});
afterAll(() => {
  prometheus?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
  const body = (await res?.json()) as { status: string; data: { result: never[] } } | undefined;
  return body?.status === "success" ? body.data.result : [];
};

it("scrapes Tempo's service-graph series with the graph's counts, and counts the edges past the limit", async () => {
  const { product } = ctx;
  const expected = await sendShopTraces(
    () => new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpGrpc}` }),
    10,
  );
  // Counted first, so the shop's edges are the first seen and keep their series.
  await poll(
    async () => (await fetch(`http://127.0.0.1:${product.ports.web}/api/graph?from=now-1h`)).json(),
    (g: { edges: { source: string; target: string; requests: number }[] }) =>
      Object.entries(expected).every(([k, v]) =>
        g.edges.some((e) => `${e.source}->${e.target}` === k && e.requests === v.requests),
      ),
    60_000,
  );
  expect(Object.keys(expected).length).toBeLessThan(MAX_EDGES);
  // More edges than the limit: ten services each calling its own peer.
  const extra: SeedTrace[] = Array.from({ length: 10 }, (_, i) => ({
    service: `extra-${i}`,
    startMs: Date.now() - 30_000 + i,
    durationMs: 10,
    calls: [{ target: `peer-${i}`, durationMs: 3, virtual: true }],
  }));
  await postJsonTraces(product.ports.otlpHttp, extra);

  // The target is healthy: Prometheus parsed every scrape (a parse error shows as lastError).
  const targets = await poll(
    // Until Prometheus listens, no targets.
    async () =>
      (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)
        .then((r) => r.json())
        .then((b) => b.data.activeTargets)
        .catch(() => [])) as { health: string; lastError: string }[],
    (t) => t.length === 1 && t[0]!.health === "up",
    60_000,
  );
  expect(targets[0]!.lastError).toBe("");

  const series = await poll(
    () => query("traces_service_graph_request_total"),
    (r) => r.length === MAX_EDGES,
    60_000,
  );
  // The first edges seen (the shop's) have their series, with the counts the graph has for them.
  const scraped = Object.fromEntries(series.map((s) => [`${s.metric.client}->${s.metric.server}`, Number(s.value[1])]));
  for (const [key, { requests }] of Object.entries(expected)) expect(scraped[key], key).toBe(requests);
  // Dimension labels: each side's own resource value (a root's edge has no client side: no label).
  const paired = series.filter((s) => s.metric.connection_type === undefined && s.metric.client !== "user");
  expect(paired.length).toBeGreaterThan(0);
  for (const s of paired) {
    expect(s.metric.client_service_name).toBe(s.metric.client);
    expect(s.metric.server_service_name).toBe(s.metric.server);
  }
  const dropped = await poll(
    () => query("tracemap_service_graph_dropped_edges"),
    (r) => r.length === 1 && Number(r[0]!.value[1]) >= 20 + Object.keys(expected).length - MAX_EDGES,
    60_000,
  );
  expect(Number(dropped[0]!.value[1])).toBeGreaterThan(0);
  // Histograms are usable as Prometheus histograms.
  const p95 = await poll(
    () => query("histogram_quantile(0.95, sum by (le) (traces_service_graph_request_server_seconds_bucket))"),
    (r) => r.length === 1 && Number.isFinite(Number(r[0]!.value[1])),
    30_000,
  );
  expect(Number(p95[0]!.value[1])).toBeGreaterThan(0);
}, 180_000);
