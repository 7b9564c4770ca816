import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { useProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { otlpJsonTraces } from "../helpers/json-traces";
import { poll } from "../helpers/poll";

// The whole product with compaction after 5 minutes: spans sent 30 minutes old are compacted by the aggregator's
// loop, and the trace search, trace page, services table and Jaeger API still show every span.
const ctx = useProduct({
  AGGREGATOR_INTERVAL_MS: "200",
  AGGREGATOR_WAIT_MS: "500",
  RETENTION_INTERVAL_MS: "1000",
  SPAN_COMPACT_AFTER_MINUTES: "5",
});
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

it("finds and shows compacted traces in the browser and the Jaeger API", async () => {
  const { product } = ctx;
  const start = Date.now() - 30 * 60_000;
  const traces = Array.from({ length: 40 }, (_, i) => ({
    service: "checkout",
    startMs: start + i * 3_000,
    durationMs: 80 + i,
    calls: [
      { target: "payments", durationMs: 30, error: i % 4 === 0 },
      { target: "postgres", durationMs: 5, virtual: true },
    ],
  }));
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(otlpJsonTraces(traces)),
  });
  expect(res.status).toBe(200);
  // Every span moved (the aggregator logs each pass that compacts).
  const compacted = () =>
    [...product.output().matchAll(/compacted (\d+) spans/g)].reduce((n, m) => n + Number(m[1]), 0);
  await poll(
    async () => compacted(),
    (n) => n === 160,
    100_000,
  );

  const base = `http://127.0.0.1:${product.ports.web}`;
  const window = `from=${start - 60_000}&to=${start + 10 * 60_000}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/traces?service=checkout&status=error&${window}`);
  const rows = page.locator('[data-testid="traces"] tbody tr');
  await expect.poll(() => rows.count()).toBe(10);
  expect(await rows.first().textContent()).toContain("GET /checkout");
  // The services table counts compacted spans: 3 per trace are checkout's, 1 is payments'.
  const cells = (service: string) =>
    page.locator(`[data-testid="services"] tbody tr:has(a:text-is("${service}")) td`).allTextContents();
  expect((await cells("checkout"))[1]).toBe("120");
  expect((await cells("payments"))[1]).toBe("40");

  await rows.first().locator("a[href^='/traces/']").first().click();
  await page.waitForSelector('[data-testid="waterfall"]');
  const spans = page.locator('[data-testid="waterfall"] [data-span]');
  await expect.poll(() => spans.count()).toBe(4);
  expect(await page.getByTestId("waterfall").textContent()).toContain("error");

  const jaeger = await (await fetch(`${base}/jaeger/api/traces?service=payments&lookback=1h&limit=100`)).json();
  expect(jaeger.data).toHaveLength(40);
  expect(jaeger.data.every((t: { spans: unknown[] }) => t.spans.length === 4)).toBe(true);
  const services2 = await (await fetch(`${base}/jaeger/api/services`)).json();
  expect(services2.data).toEqual(["checkout", "payments"]);
}, 150_000);
