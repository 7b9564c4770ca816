import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startProduct, type RunningProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { otlpJsonTraces, postJsonTraces, type SeedCall, type SeedTrace } from "../helpers/json-traces";

let product: RunningProduct;
let browser: Browser;

beforeAll(async () => {
  product = await startProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (product) expect(await product.stop()).toBe(0);
});

it("opens a 10,000-span trace, renders only the rows in view, scrolls to the last span, and maps its services", async () => {
  // 1 root + 6,000 client spans + 4,000 server spans (one failing call): two services and an uninstrumented peer.
  const calls: SeedCall[] = Array.from({ length: 6000 }, (_, i) => ({
    target: ["inventory", "pricing", "postgres"][i % 3]!,
    durationMs: 0.4,
    virtual: i % 3 === 2,
    error: i === 4000,
  }));
  const body = otlpJsonTraces([{ service: "batch-job", startMs: Date.now() - 60_000, durationMs: 3000, calls }]) as any;
  const traceId: string = body.resourceSpans[0].scopeSpans[0].spans[0].traceId;
  const spanCount = body.resourceSpans.reduce((n: number, r: any) => n + r.scopeSpans[0].spans.length, 0);
  expect(spanCount).toBe(10_001);
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);

  const page = await browser.newPage();
  const started = Date.now();
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces/${traceId}`);
  await page.getByTestId("waterfall").locator("tbody tr[data-span]").first().waitFor();
  const openMs = Date.now() - started;
  console.log(`10k-span trace (${spanCount} spans): waterfall shown after ${openMs} ms`);
  await expect.poll(() => page.locator("main h1 + p").textContent()).toContain(`${spanCount} spans`);

  // Virtualised: a few dozen rows in the DOM, not thousands.
  const rendered = await page.locator('[data-testid="waterfall"] tbody tr[data-span]').count();
  expect(rendered).toBeGreaterThan(10);
  expect(rendered).toBeLessThan(150);

  // Scroll to the end: the last span (a server span of the last call) is rendered and visible.
  await page.getByTestId("waterfall-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
  const lastRow = page.locator('[data-testid="waterfall"] tbody tr[data-span]').last();
  await expect.poll(() => lastRow.getAttribute("aria-rowindex")).toBe(String(spanCount + 1));
  expect(await lastRow.isVisible()).toBe(true);

  // The minimap jumps: clicking three quarters down scrolls there.
  await page.getByTestId("waterfall-scroll").evaluate((el) => (el.scrollTop = 0));
  await page.getByTestId("minimap").click({ position: { x: 50, y: 48 } });
  await expect.poll(() => page.getByTestId("waterfall-scroll").evaluate((el) => el.scrollTop)).toBeGreaterThan(100_000);

  // Keyboard selection far down the trace keeps the selected row in view.
  const first = page.locator('[data-testid="waterfall"] tbody tr[data-span]').first();
  await first.click();
  for (let i = 0; i < 40; i++) await page.getByTestId("waterfall").press("j");
  const selected = page.locator('[data-testid="waterfall"] tbody tr.selected');
  await expect.poll(() => selected.isVisible()).toBe(true);

  // Trace map: the services and the uninstrumented peer this trace touched, with call and failure counts.
  const map = page.getByTestId("trace-map");
  expect(
    await map.locator("[data-node]").evaluateAll((els) => els.map((e) => e.getAttribute("data-node")).sort()),
  ).toEqual(["batch-job", "inventory", "postgres", "pricing"]);
  expect(await map.locator('[data-edge="batch-job->inventory"] text').textContent()).toMatch(/^2000× · /);
  // Calls and the time they took on each hop, and failures.
  expect(await map.locator('[data-edge="batch-job->pricing"] text').textContent()).toMatch(/^2000× · .*, 1 failed$/);
  expect(await map.locator('[data-edge="batch-job->postgres"] text').textContent()).toMatch(/^2000× · /);
  await page.close();
}, 120_000);

it("edge chart: baseline band, deploy marker, click a point for the slowest calls at or below it; service page with operations", async () => {
  const now = Date.now();
  const minute = Math.floor(now / 60_000) * 60_000;
  const call = (startMs: number, ms: number): SeedTrace => ({
    service: "dd-web",
    startMs,
    durationMs: ms + 2,
    calls: [{ target: "dd-orders", durationMs: ms }],
  });
  // Baseline 20 minutes ago (the previous 15-minute period); v1 until 6 minutes ago, then v2 and slower.
  const spread = (from: number, count: number, ms: (i: number) => number) =>
    Array.from({ length: count }, (_, i) => call(from + i * 1500, ms(i)));
  await postJsonTraces(
    product.ports.otlpHttp,
    spread(minute - 20 * 60_000, 30, (i) => 10 + i),
    {},
    { "dd-orders": "1.0.0" },
  );
  await postJsonTraces(
    product.ports.otlpHttp,
    spread(minute - 10 * 60_000, 30, (i) => 10 + i),
    {},
    { "dd-orders": "1.0.0" },
  );
  await postJsonTraces(
    product.ports.otlpHttp,
    spread(minute - 5 * 60_000, 30, (i) => 100 + 10 * i),
    {},
    { "dd-orders": "2.0.0" },
  );

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const url = `http://127.0.0.1:${product.ports.web}/?from=now-15m&live=0&cmp=prev&sel=${encodeURIComponent("edge:dd-web->dd-orders")}`;
  // Wait until the aggregator has rolled up the v2 minutes, then open the shared view.
  await expect
    .poll(
      async () => {
        const res = await fetch(`http://127.0.0.1:${product.ports.web}/api/graph?from=now-15m`);
        const graph = (await res.json()) as { edges: { source: string; target: string; requests: number }[] };
        return graph.edges.find((e) => e.source === "dd-web" && e.target === "dd-orders")?.requests ?? 0;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(60);
  await page.goto(url);
  const chart = page.getByTestId("edge-chart");
  await expect.poll(() => chart.getAttribute("data-deploys")).toBe("1");
  await expect.poll(() => chart.getAttribute("data-baseline")).toBe("1");
  await expect.poll(() => chart.locator("text", { hasText: "dd-orders 2.0.0" }).count()).toBe(1);
  // The band is drawn: recharts renders the baseline area as a path.
  await expect.poll(() => chart.locator(".recharts-area-area").count()).toBe(1);
  // Rate and error % over time in their own chart; the percentile can be switched.
  expect(await page.getByTestId("edge-rate-chart").locator(".recharts-line").count()).toBe(2);
  await page.getByRole("button", { name: "p99" }).click();
  await expect
    .poll(() => chart.locator(".recharts-legend-item-text").allTextContents())
    .toEqual(["baseline p50–p99", "client p99", "server p99"]);

  // Click the chart where the v2 traffic is (right part): the list holds calls at or below the clicked p95.
  const box = (await chart.locator(".recharts-wrapper").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.72, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width * 0.72, box.y + box.height / 2);
  const list = page.getByTestId("at-or-below");
  await list.waitFor({ timeout: 5000 }).catch(async (err) => {
    await page.screenshot({ path: "bench-results/drilldown-click-failed.png" });
    throw err;
  });
  const maxMs = Number(await list.getAttribute("data-max-ms"));
  const items = page.getByTestId("examples-at-or-below").locator("li");
  await expect.poll(() => items.count()).toBeGreaterThan(0);
  const durations = await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-duration-ms"))));
  expect(durations.every((d) => d <= maxMs)).toBe(true);
  expect(durations).toEqual([...durations].sort((a, b) => b - a));

  // A drag across the chart shows just that stretch: the whole view's window becomes it.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL((u) => u.searchParams.get("to") !== null && u.searchParams.get("to") !== "now");
  const zoomed = new URL(page.url());
  const span = Date.parse(zoomed.searchParams.get("to")!) - Date.parse(zoomed.searchParams.get("from")!);
  expect(span).toBeGreaterThanOrEqual(2 * 60_000); // at least two one-minute steps of the 15 minutes
  expect(span).toBeLessThan(10 * 60_000);
  expect(zoomed.searchParams.get("sel")).toBe("edge:dd-web->dd-orders"); // still looking at the same edge

  // From the node panel to the service page: operations, callers, the deploy.
  await page.goto(
    `http://127.0.0.1:${product.ports.web}/?from=now-15m&live=0&sel=${encodeURIComponent("node:dd-orders")}`,
  );
  // The deploy is on the map: a ring and ⬆2.0.0 on the node, the version in its panel; the caller has none.
  await expect
    .poll(() =>
      page
        .getByTestId("node-deploys")
        .textContent()
        .catch(() => ""),
    )
    .toContain("2.0.0");
  const nodeLook = (id: string) =>
    page.evaluate((i) => {
      const n = (window as any).__tracemapCy.getElementById(i);
      return { deployed: n.hasClass("deployed"), label: n.data("label") as string };
    }, id);
  await page.waitForSelector('[data-testid="service-map"][data-drawn]');
  expect(await nodeLook("dd-orders")).toMatchObject({ deployed: true, label: expect.stringContaining("⬆2.0.0") });
  expect(await nodeLook("dd-web")).toMatchObject({ deployed: false });
  await page.getByTestId("service-page-link").click();
  await page.waitForURL(/\/services\/dd-orders/);
  const ops = page.getByTestId("operations").locator("tbody tr");
  await ops.first().waitFor();
  expect(await ops.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-operation")))).toEqual([
    "serve dd-orders",
  ]);
  expect(
    await page
      .getByTestId("callers")
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-peer"))),
  ).toEqual(["dd-web"]);
  expect(await page.getByTestId("deploys").textContent()).toContain("2.0.0");
  expect(await page.getByTestId("service-latency-chart").locator(".recharts-line").count()).toBe(3);
  await page.close();
}, 120_000);
