import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startProduct, type RunningProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { otlpJsonTraces, type SeedCall } from "../helpers/json-traces";

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
    target: ["inventory", "pricing", "postgres"][i % 3]!, durationMs: 0.4, virtual: i % 3 === 2, error: i === 4000,
  }));
  const body = otlpJsonTraces([{ service: "batch-job", startMs: Date.now() - 60_000, durationMs: 3000, calls }]) as any;
  const traceId: string = body.resourceSpans[0].scopeSpans[0].spans[0].traceId;
  const spanCount = body.resourceSpans.reduce((n: number, r: any) => n + r.scopeSpans[0].spans.length, 0);
  expect(spanCount).toBe(10_001);
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
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
  expect(await map.locator("[data-node]").evaluateAll((els) => els.map((e) => e.getAttribute("data-node")).sort())).toEqual(["batch-job", "inventory", "postgres", "pricing"]);
  expect(await map.locator('[data-edge="batch-job->inventory"] text').textContent()).toBe("2000×");
  expect(await map.locator('[data-edge="batch-job->pricing"] text').textContent()).toBe("2000×, 1 failed");
  expect(await map.locator('[data-edge="batch-job->postgres"] text').textContent()).toBe("2000×");
  await page.close();
}, 120_000);
