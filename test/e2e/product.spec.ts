import { afterAll, beforeAll, expect, it } from "vitest";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { Browser } from "playwright-core";
import { startProduct, type RunningProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";

let product: RunningProduct;
let browser: Browser;

beforeAll(async () => {
  product = await startProduct();
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (!product) return;
  // Ctrl-C in a terminal reaches the whole process group, spans still arriving: the collector shuts down and flushes
  // while PostgreSQL (in a group of its own) keeps serving, and the database stops last.
  const span = (i: number) =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "ctrl-c" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: `${"c".repeat(24)}${String(i).padStart(8, "0")}`,
                  spanId: "1".repeat(16),
                  name: "x",
                  kind: 2,
                  startTimeUnixNano: `${Date.now() - 1000}000000`,
                  endTimeUnixNano: `${Date.now()}000000`,
                },
              ],
            },
          ],
        },
      ],
    });
  const sending = Array.from({ length: 40 }, (_, i) =>
    new Promise((r) => setTimeout(r, i * 5)).then(() =>
      fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: span(i),
      }).catch(() => null),
    ),
  );
  await new Promise((r) => setTimeout(r, 50));
  expect(await product.stop("SIGINT", true)).toBe(0);
  await Promise.all(sending);
  const out = product.output();
  expect(out).not.toMatch(/span write failed|CONNECTION_CLOSED|shutdown deadline passed/);
  const stoppedAt = (line: RegExp) => out.split("\n").findIndex((l) => line.test(l));
  expect(stoppedAt(/collector: SIGINT: shutting down/)).toBeGreaterThan(-1);
  expect(stoppedAt(/start: database stopped/)).toBeGreaterThan(
    stoppedAt(/start: collector, aggregator and web stopped/),
  );
  expect(stoppedAt(/start: collector, aggregator and web stopped/)).toBeGreaterThan(
    stoppedAt(/collector: SIGINT: shutting down/),
  );
});

it("starts with an embedded database, ingests real SDK spans and shows them in the browser as inert text", async () => {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await page.goto(`http://127.0.0.1:${product.ports.web}/traces`);
  await expect.poll(() => page.getByTestId("empty-state").isVisible()).toBe(true);

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": "storefront" }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${product.ports.otlpHttp}/v1/traces` })),
    ],
  });
  const tracer = provider.getTracer("e2e");
  const root = tracer.startSpan("GET /cart <script>alert(1)</script>", { kind: SpanKind.SERVER });
  const child = tracer.startSpan(
    "SELECT cart",
    { kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql", note: "<img src=x onerror=alert(1)>" } },
    trace.setSpan(context.active(), root),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock" });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();

  await page.reload();
  const services = page.getByTestId("services");
  await expect.poll(() => services.textContent()).toContain("storefront");
  await expect.poll(() => page.getByTestId("trace-scatter").locator(".recharts-scatter-symbol").count()).toBe(1);
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces?status=error&attr=db.system%3Dpostgresql`);
  expect(await page.getByTestId("traces").locator("tbody tr").allTextContents()).toEqual([
    expect.stringContaining("SELECT cart"),
  ]);
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces?service=storefront&maxMs=-1`);
  expect(await page.locator("main .banner").textContent()).toContain("maxMs must be a non-negative number");
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces`);
  await page.getByRole("link", { name: "GET /cart <script>alert(1)</script>" }).click();
  await page.waitForURL(/\/traces\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/);
  const waterfall = page.getByTestId("waterfall");
  expect(await waterfall.textContent()).toContain("error: deadlock");
  expect(await page.locator("main img").count()).toBe(0);
  expect(await page.locator("main script").count()).toBe(0);
  // Collapse, select and keyboard state live in the URL and survive a reload; the detail panel is text only.
  const rows = waterfall.locator("tbody tr");
  await expect.poll(() => rows.count()).toBe(2);
  await waterfall.getByRole("button", { name: "Collapse" }).click();
  await page.waitForURL(/collapsed=/);
  await expect.poll(() => rows.count()).toBe(1);
  await waterfall.getByRole("button", { name: "Expand" }).click();
  await expect.poll(() => rows.count()).toBe(2);
  await rows.filter({ hasText: "SELECT cart" }).click();
  const detail = page.getByTestId("span-detail");
  await expect.poll(() => detail.textContent()).toContain("note = <img src=x onerror=alert(1)>");
  expect(await detail.textContent()).toContain("error: deadlock");
  await waterfall.press("ArrowUp");
  await expect.poll(() => detail.locator("h2").textContent()).toBe("GET /cart <script>alert(1)</script>");
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await expect
    .poll(() => page.getByTestId("span-detail").locator("h2").textContent())
    .toBe("GET /cart <script>alert(1)</script>");
  expect(await page.getByRole("link", { name: "Download JSON" }).getAttribute("href")).toMatch(
    /^\/api\/traces\/[0-9a-f]{32}$/,
  );
  expect(await page.locator("main img, main script").count()).toBe(0);
  // The header's trace-id box opens a trace from any page; a malformed id is a 400 banner, not a blank page.
  const traceId = url.match(/traces\/([0-9a-f]{32})/)![1]!;
  await page.goto(`http://127.0.0.1:${product.ports.web}/`);
  await page.getByLabel("Trace id").fill(traceId.toUpperCase());
  await page.getByLabel("Open a trace by id").getByRole("button", { name: "Open" }).click();
  await page.waitForURL(new RegExp(`/traces/${traceId}$`));
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces?traceId=nothex`);
  expect(await page.locator("main .banner").textContent()).toContain("not a trace id");
  // Results carry the trace's root, span and error counts; most errors first.
  await page.goto(`http://127.0.0.1:${product.ports.web}/traces?sort=errors`);
  const first = page.getByTestId("traces").locator("tbody tr").first();
  expect(await first.textContent()).toContain("storefront: GET /cart");
  expect(await first.locator("td.num").allTextContents()).toEqual([expect.any(String), "2", "1"]);
  expect(dialogs).toEqual([]);
});
