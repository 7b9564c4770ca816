import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { useProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { envTracesJson } from "../helpers/env-traces";
import { poll } from "../helpers/poll";

const ctx = useProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

it("chooses one environment's map in the browser; the choice is in the link and carries to the service page", async () => {
  const { product } = ctx;
  const start = Date.now() - 3 * 60_000;
  const res = await fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: envTracesJson([
      { from: { service: "web", env: "prod" }, to: { service: "api", env: "prod" }, count: 30, ms: 20, startMs: start },
      {
        from: { service: "web", env: "staging" },
        to: { service: "api", env: "staging" },
        count: 10,
        ms: 300,
        startMs: start,
      },
    ]),
  });
  expect(res.status).toBe(200);
  const base = `http://127.0.0.1:${product.ports.web}`;
  const window = `from=${start - 60_000}&to=${start + 120_000}`;
  await poll(
    async () => (await fetch(`${base}/api/graph?${window}&env=staging`)).json(),
    (g: any) => g.edges.find((e: any) => e.id === "web->api")?.requests === 10,
    60_000,
  );

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/?${window}&labels=p50`);
  await page.waitForSelector('[data-testid="service-map"][data-drawn]');
  const label = (id: string) =>
    page.evaluate((i) => (window as any).__tracemapCy.getElementById(i).data("label") as string, id);
  // All environments, merged: each node says which it ran in.
  expect(await label("api")).toContain("api [prod, staging]");
  expect(Number(/^p50 (\d+) ms$/.exec(await label("web->api"))?.[1])).toBeLessThan(50);
  const selector = page.getByTestId("environment");
  expect(await selector.locator("option").allTextContents()).toEqual(["all", "prod", "staging"]);

  await selector.selectOption("staging");
  await page.waitForURL(/env=staging/);
  // Staging's own latency, not the mix: p50 ~302 ms there, ~22 ms over both.
  const p50 = async () => Number(/^p50 (\d+) ms$/.exec(await label("web->api"))?.[1]);
  await expect.poll(p50).toBeGreaterThan(250);
  expect(await p50()).toBeLessThan(350);
  await expect.poll(() => label("api")).toMatch(/^api\n/); // one environment: no list on the nodes

  // The link opens staging's map for a teammate, and the node's service page stays in staging.
  const teammate = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await teammate.goto(`${page.url()}&sel=node%3Aapi`);
  expect(await teammate.getByTestId("environment").inputValue()).toBe("staging");
  await teammate.getByTestId("service-page-link").click();
  await teammate.waitForURL(/\/services\/api\?.*env=staging/);
  // The page says which environment its figures cover, and its window links and trace search stay in it.
  await expect.poll(() => teammate.getByTestId("service-scope").textContent()).toContain("environment staging");
  expect(await teammate.getByRole("link", { name: "last 1h" }).getAttribute("href")).toContain("env=staging");
  expect(await teammate.getByRole("link", { name: "Search its traces" }).getAttribute("href")).toContain("env=staging");
  // The search it opens says so, and keeps it in its form: staging's 10 traces, not production's 30.
  await teammate.getByRole("link", { name: "Search its traces" }).click();
  await expect.poll(() => teammate.getByTestId("hit-count").textContent()).toMatch(/^10 traces .*environment staging/);
  expect(await teammate.getByLabel("Environment").inputValue()).toBe("staging");
  const detail = await (await fetch(`${base}/api/services/api?${new URL(teammate.url()).searchParams}`)).json();
  expect(detail.node.requests).toBe(10);
  expect(detail.node.p95).toBeGreaterThan(250);
  await teammate.close();
  await page.close();
}, 120_000);
