import { afterAll, beforeAll, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import type { Browser, Page } from "playwright-core";
import { startProduct, type RunningProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { sendShopTraces } from "../helpers/shop-traces";
import { protobufRequest, sdkSpans } from "../helpers/otlp-payloads";

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

type Positions = Record<string, { x: number; y: number }>;
const positions = (page: Page) =>
  page.evaluate(() => {
    const cy = (window as any).__tracemapCy;
    return Object.fromEntries(cy.nodes().map((n: any) => [n.id(), { ...n.position() }]));
  }) as Promise<Positions>;
const mapCount = (page: Page, what: "nodes" | "edges") => page.getByTestId("service-map").getAttribute(`data-${what}`).then(Number);

async function send(body: Buffer) {
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, { method: "POST", body: new Uint8Array(body), headers: { "content-type": "application/x-protobuf" } });
  expect(res.status).toBe(200);
}

it("draws the live map, opens an edge by clicking it, leads to its slowest trace, and keeps its layout", async () => {
  await sendShopTraces(() => new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpGrpc}` }), 20);
  await send(protobufRequest(sdkSpans("<img src=x onerror=alert(1)>", 1)));

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const base = `http://127.0.0.1:${product.ports.web}`;
  await expect.poll(async () => {
    await page.goto(`${base}/?from=now-1h`);
    return mapCount(page, "nodes").catch(() => 0);
  }, { timeout: 30_000, interval: 1000 }).toBe(8);
  expect(await mapCount(page, "edges")).toBe(7);

  // The table lists the same figures, as text.
  const table = page.getByTestId("map-table");
  await table.locator("summary").click();
  const ordersRow = table.locator('tr[data-edge="gateway->orders"]');
  expect(await ordersRow.textContent()).toContain("25.0%");
  expect(await table.locator('tr[data-node="shop"]').textContent()).toContain("database");
  expect(await table.textContent()).toContain("<img src=x onerror=alert(1)>");

  // Click the edge on the canvas itself.
  const before = await positions(page);
  const mid = await page.evaluate(() => (window as any).__tracemapCy.getElementById("gateway->orders").renderedMidpoint());
  const box = (await page.getByTestId("service-map").boundingBox())!;
  await page.mouse.click(box.x + mid.x, box.y + mid.y);
  await page.waitForURL(/sel=edge%3Agateway-%3Eorders/);
  const panel = page.getByTestId("selection-panel");
  await expect.poll(() => panel.textContent()).toContain("gateway → orders");
  await expect.poll(() => page.getByTestId("examples-slowest").locator("a").count()).toBeGreaterThanOrEqual(3);
  expect(await panel.textContent()).toContain("out of stock");

  // The same link opens the same view for a teammate.
  const shared = page.url();
  const teammate = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await teammate.goto(shared);
  await expect.poll(() => teammate.getByTestId("selection-panel").textContent()).toContain("gateway → orders");
  expect(await positions(teammate)).toEqual(before);
  await teammate.close();

  // Changing the label mode re-renders in place: nothing moves.
  await page.getByLabel("Labels").selectOption("p95");
  await page.waitForURL(/labels=p95/);
  expect(await positions(page)).toEqual(before);

  // Live refresh adds a new service without moving the others.
  await send(protobufRequest(sdkSpans("search", 1)));
  await expect.poll(() => mapCount(page, "nodes"), { timeout: 40_000, interval: 1000 }).toBe(9); // + "search" (its dep-0 exists)
  const after = await positions(page);
  for (const [id, p] of Object.entries(before)) expect(after[id]).toEqual(p);

  // Copy link turns the relative range into an absolute one.
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toMatch(/from=\d{4}-\d{2}-\d{2}T/);
  expect(link).toContain("sel=edge%3Agateway-%3Eorders");

  // Two clicks from the map: the slowest example opens as a waterfall.
  await page.getByTestId("examples-slowest").locator("a").first().click();
  await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
  expect(await page.getByTestId("waterfall").textContent()).toContain("POST /orders");
  expect(dialogs).toEqual([]);

  // Compare with the previous hour, which had no traffic: every call is new, positions unchanged.
  await page.goto(`${base}/?from=now-1h&cmp=prev&view=table`);
  await expect.poll(() => page.getByTestId("compare-note").isVisible()).toBe(true);
  expect(await page.locator('tr[data-edge="gateway->orders"] [data-testid="change"]').textContent()).toBe("new");
  await page.goto(`${base}/?from=now-1h`);
  await expect.poll(() => mapCount(page, "nodes")).toBe(9);
  const plain = await positions(page);
  await page.getByLabel("Compare").selectOption("prev");
  await page.waitForURL(/cmp=prev/);
  await expect.poll(() => page.getByTestId("compare-note").isVisible()).toBe(true);
  expect(await positions(page)).toEqual(plain);
}, 120_000);
