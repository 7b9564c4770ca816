import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { useProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { envTracesJson } from "../helpers/env-traces";
import { poll } from "../helpers/poll";

// With SERVICE_GRAPH_DIMENSIONS set, the map filters and groups by the dimension, and the choice is in the link.
const ctx = useProduct({
  AGGREGATOR_INTERVAL_MS: "200",
  AGGREGATOR_WAIT_MS: "500",
  SERVICE_GRAPH_DIMENSIONS: "k8s.cluster.name",
});
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

it("filters the map to one cluster and groups nodes by cluster, both kept in the link", async () => {
  const { product } = ctx;
  const start = Date.now() - 3 * 60_000;
  const side = (service: string, cluster: string) => ({ service, env: "prod", cluster });
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: envTracesJson([
      { from: side("web", "eu"), to: side("api", "eu"), count: 30, ms: 20, startMs: start },
      { from: side("batch", "us"), to: side("api-us", "us"), count: 10, ms: 300, startMs: start },
    ]),
  });
  expect(res.status).toBe(200);
  const base = `http://127.0.0.1:${product.ports.web}`;
  const window = `from=${start - 60_000}&to=${start + 120_000}`;
  await poll(
    async () => (await fetch(`${base}/api/graph?${window}&dim=k8s.cluster.name:us`)).json(),
    (g: any) => g.edges.find((e: any) => e.id === "batch->api-us")?.requests === 10,
    60_000,
  );

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/?${window}`);
  await page.waitForSelector('[data-testid="service-map"][data-drawn]');
  const ids = () =>
    page.evaluate(() =>
      ((window as any).__tracemapCy.nodes().map((n: any) => n.id()) as string[]).filter((i) => !i.startsWith("ns:")),
    );
  expect((await ids()).sort()).toEqual(["api", "api-us", "batch", "user", "web"]);
  const filter = page.getByTestId("dim-k8s.cluster.name");
  expect(await filter.locator("option").allTextContents()).toEqual(["all", "eu", "us"]);

  await filter.selectOption("us");
  await page.waitForURL(/dim=k8s\.cluster\.name%3Aus/);
  await expect.poll(async () => (await ids()).sort()).toEqual(["api-us", "batch", "user"]);

  // A teammate's link opens the same filter; grouping by cluster draws a box per cluster around its services.
  const teammate = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await teammate.goto(`${base}/?${window}`);
  await teammate.waitForSelector('[data-testid="service-map"][data-drawn]');
  await teammate.getByTestId("group-by").selectOption("k8s.cluster.name");
  await teammate.waitForURL(/groupBy=k8s\.cluster\.name/);
  const parentOf = (id: string) =>
    teammate.evaluate((i) => (window as any).__tracemapCy.getElementById(i).parent().id() as string | undefined, id);
  await expect.poll(() => parentOf("web")).toBe("ns:eu");
  expect(await parentOf("batch")).toBe("ns:us");
  const shared = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await shared.goto(`${page.url()}`);
  expect(await shared.getByTestId("dim-k8s.cluster.name").inputValue()).toBe("us");
  await Promise.all([teammate.close(), shared.close(), page.close()]);
}, 120_000);
