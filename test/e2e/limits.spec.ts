import { expect, it } from "vitest";
import { useProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { postJsonTraces, type SeedTrace } from "../helpers/json-traces";
import { poll } from "../helpers/poll";

// A flood of careless instrumentation (a request id in service.name, URLs as peer names) against small limits:
// the map, its API and /metrics stay bounded and say what they folded.
const MAX_NODES = 40;
const MAX_EDGES = 60;
const ctx = useProduct({
  AGGREGATOR_INTERVAL_MS: "200",
  AGGREGATOR_WAIT_MS: "500",
  MAX_GRAPH_NODES: String(MAX_NODES),
  MAX_GRAPH_EDGES: String(MAX_EDGES),
  MAX_OPERATIONS_PER_SERVICE: "5",
});
const web = (path: string) => fetch(`http://127.0.0.1:${ctx.product.ports.web}${path}`);

it("folds a flood of 1,500 service and peer names into 'other' nodes, with a banner, bounded /metrics and service pages", async () => {
  const now = Date.now() - 120_000;
  const flood: SeedTrace[] = Array.from({ length: 1500 }, (_, i) => ({
    service: `checkout-${i}`,
    startMs: now + i,
    durationMs: 20,
    calls: [{ target: `https://pay.example.com/charge/${i}`, durationMs: 5, virtual: true }],
  }));
  // The busy part of the system: it must stay itself on the map.
  const busy: SeedTrace[] = Array.from({ length: 300 }, (_, i) => ({
    service: "frontend",
    startMs: now + i * 10,
    durationMs: 40,
    calls: [{ target: "cart", durationMs: 10, error: i % 10 === 0 }],
  }));
  await postJsonTraces(ctx.product.ports.otlpHttp, [...busy, ...flood]);

  const graphPath = `/api/graph?from=${now - 60_000}&to=${now + 60_000}`;
  const graph = await poll(
    async () => (await web(graphPath)).json(),
    // Everything counted: the flood's calls (virtual ones after the pairing wait) and the busy part's.
    (g: any) =>
      g.edges
        .filter((e: any) => e.source !== "frontend" && e.source !== "user")
        .reduce((s: number, e: any) => s + e.requests, 0) === 1500 &&
      g.edges.find((e: any) => e.id === "frontend->cart")?.requests === 300,
    60_000,
  );
  expect(graph.nodes.length).toBeLessThanOrEqual(MAX_NODES);
  expect(graph.edges.length).toBeLessThanOrEqual(MAX_EDGES);
  const byId = (id: string) => graph.nodes.find((n: any) => n.id === id);
  expect(byId("frontend").requests).toBe(300);
  expect(graph.edges.find((e: any) => e.id === "frontend->cart")).toMatchObject({ requests: 300, errors: 30 });
  // Nothing lost: the folded services' and peers' calls are all in their "other" nodes.
  expect(byId("(other service)").folded).toBeGreaterThan(1400);
  const external = graph.nodes.filter((n: any) => n.id.startsWith("(other ") && n.type !== "service");
  expect(external.length).toBeGreaterThan(0);
  const flooded = graph.edges.filter((e: any) => e.source !== "frontend" && e.source !== "user");
  expect(flooded.reduce((s: number, e: any) => s + e.requests, 0)).toBe(1500);
  expect(graph.folded).toMatchObject({ limits: { maxNodes: MAX_NODES, maxEdges: MAX_EDGES } });
  expect(JSON.stringify(graph).length).toBeLessThan(100_000);

  // A folded service still has its own page, with its own figures.
  const detail = await (await web(`/api/services/checkout-7?from=${now - 60_000}&to=${now + 60_000}`)).json();
  expect(detail.node).toMatchObject({ id: "checkout-7", requests: 1 });

  // /metrics: at most MAX_GRAPH_EDGES edges get series; the rest are counted.
  const metrics = await (await web("/metrics")).text();
  const series = metrics.split("\n").filter((l) => l.startsWith("traces_service_graph_request_total{"));
  expect(series.length).toBe(MAX_EDGES);
  const dropped = Number(/^tracemap_service_graph_dropped_edges (\d+)$/m.exec(metrics)?.[1]);
  expect(dropped + series.length).toBeGreaterThanOrEqual(1500 + 300);

  // The map says what it folded and why.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${ctx.product.ports.web}/?from=${now - 60_000}&to=${now + 60_000}`);
    const banner = page.getByTestId("folded-banner");
    await expect.poll(() => banner.textContent()).toContain("MAX_GRAPH_NODES");
    expect(await banner.textContent()).toMatch(/quietest .*[\d,]+ services/);
    await page.waitForSelector('[data-testid="service-map"][data-drawn]');
    // Its "other" node explains itself and offers no service page of its own.
    await page.goto(
      `http://127.0.0.1:${ctx.product.ports.web}/?from=${now - 60_000}&to=${now + 60_000}&sel=node%3A${encodeURIComponent("(other service)")}`,
    );
    await expect.poll(() => page.getByTestId("folded-note").textContent()).toMatch(/the [\d,]+ quietest service nodes/);
    expect(await page.getByTestId("service-page-link").count()).toBe(0);
    expect(Number(await page.getByTestId("service-map").getAttribute("data-nodes"))).toBeLessThanOrEqual(MAX_NODES);
  } finally {
    await browser.close();
  }
}, 180_000);

it("caps a service's operations at MAX_OPERATIONS_PER_SERVICE, the rest summed in one row", async () => {
  const start = Date.now() - 60_000;
  const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  const spans = Array.from({ length: 40 }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(32, "a"),
    spanId: (i + 1).toString(16).padStart(16, "b"),
    name: `GET /orders/${i}`,
    kind: 2,
    startTimeUnixNano: ns(start + i),
    endTimeUnixNano: ns(start + i + 10),
  }));
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "url-named" } }] },
        scopeSpans: [{ spans }],
      },
    ],
  };
  const res = await fetch(`http://127.0.0.1:${ctx.product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  const path = `/api/services/url-named?from=${start - 60_000}&to=${start + 60_000}`;
  const detail = await poll(
    async () => (await web(path)).json(),
    (d: any) => d.operations.reduce((s: number, o: any) => s + o.requests, 0) === 40,
    60_000,
  );
  expect(detail.operations).toHaveLength(5);
  expect(detail.operations.at(-1)).toMatchObject({ name: "(other operations) (36)", requests: 36 });
});
