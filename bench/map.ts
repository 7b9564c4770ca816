// npm run bench:map: time until the map of N services is drawn and answers a click, in headless Chromium,
// against the real product on an embedded PostgreSQL. Also writes screenshots to bench-results/.
import { mkdirSync } from "node:fs";
import { startProduct } from "../test/helpers/product";
import { launchChromium } from "../test/helpers/browser";
import { postJsonTraces } from "../test/helpers/json-traces";
import { seed } from "../test/helpers/topology";
import { median, report } from "./report";
import { pageLoadFloorMs } from "./page-floor";
import { cytoscapeAloneMs, drawingOf } from "./cytoscape-floor";

const LOADS = 3;
const SIZES = (process.env.BENCH_MAP_SIZES ?? "15,50,200,500").split(",").map(Number);
async function main() {
  mkdirSync("bench-results", { recursive: true });
  const product = await startProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
  const browser = await launchChromium();
  const rows: Record<string, unknown>[] = [];
  try {
    const now = Date.now();
    const windows = SIZES.map((size, k) => ({ size, from: now - (k + 2) * 3600_000, to: now - (k + 1) * 3600_000 }));
    for (const w of windows) await postJsonTraces(product.ports.otlpHttp, seed(w.size, w.from + 60_000));
    await new Promise((r) => setTimeout(r, 3000)); // aggregator wait window
    // The floor: the same page and scripts for a window with no calls, until its empty state is there.
    const floorMs = await pageLoadFloorMs(
      browser,
      `http://127.0.0.1:${product.ports.web}/?from=${now - 400 * 86_400_000}&to=${now - 399 * 86_400_000}`,
      (page) => page.getByTestId("empty-state").waitFor(),
    );
    rows.push({
      services: 0,
      nodes: 0,
      edges: 0,
      drawnMs: floorMs,
      note: "empty window: page load only (median of 3)",
    });
    for (const w of windows) {
      // Three loads each, every one in a new browser context (no cache): one load on this machine swings by a third.
      const drawn: number[] = [];
      const click: number[] = [];
      let nodes = 0;
      let edges = 0;
      let drawing: Awaited<ReturnType<typeof drawingOf>> | null = null;
      for (let rep = 0; rep < LOADS; rep++) {
        const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        const url = `http://127.0.0.1:${product.ports.web}/?from=${w.from}&to=${w.to}`;
        const t0 = Date.now();
        await page.goto(url);
        // Drawn: cytoscape has painted the frame with all the nodes (ServiceMap sets data-drawn on that render).
        await page.waitForFunction(
          (n) => Number(document.querySelector('[data-testid="service-map"]')?.getAttribute("data-drawn")) >= n,
          w.size,
          { timeout: 120_000 },
        );
        drawn.push(Date.now() - t0);
        nodes = Number(await page.getByTestId("service-map").getAttribute("data-nodes"));
        edges = Number(await page.getByTestId("service-map").getAttribute("data-edges"));
        drawing ??= await drawingOf(page);
        // Interactive: a click on a node selects it (URL updated) and the panel shows it.
        const t1 = Date.now();
        const target = `n${w.size}-svc-000`;
        const pos = await page.evaluate(
          (id) => (window as any).__tracemapCy.getElementById(id).renderedPosition(),
          target,
        );
        const box = (await page.getByTestId("service-map").boundingBox())!;
        await page.mouse.click(box.x + pos.x, box.y + pos.y);
        await page.waitForURL(/sel=node/);
        await page.getByTestId("selection-panel").waitFor();
        click.push(Date.now() - t1);
        if (rep === LOADS - 1) await page.screenshot({ path: `bench-results/map-${w.size}.png` });
        await page.close();
      }
      // The same map as a viewer with a dark system theme sees it, for the screenshot review.
      const dark = await browser.newPage({ viewport: { width: 1600, height: 1000 }, colorScheme: "dark" });
      await dark.goto(`http://127.0.0.1:${product.ports.web}/?from=${w.from}&to=${w.to}`);
      await dark.waitForFunction(
        (n) => Number(document.querySelector('[data-testid="service-map"]')?.getAttribute("data-drawn")) >= n,
        w.size,
        { timeout: 120_000 },
      );
      await dark.screenshot({ path: `bench-results/map-${w.size}-dark.png` });
      await dark.close();
      const apiMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = Date.now();
        await (await fetch(`http://127.0.0.1:${product.ports.web}/api/graph?from=${w.from}&to=${w.to}`)).json();
        apiMs.push(Date.now() - t);
      }
      const drawnMs = median(drawn);
      const cytoscapeMs = await cytoscapeAloneMs(browser, drawing!);
      rows.push({
        // The first load also waits for the window's first graph query (nothing cached for it yet).
        services: w.size,
        nodes,
        edges,
        apiGraphP50Ms: median(apiMs),
        firstDrawnMs: drawn[0]!,
        drawnMs,
        drawnRangeMs: `${Math.min(...drawn)}-${Math.max(...drawn)}`,
        clickToPanelMs: median(click),
        drawnOverFloorMs: drawnMs - floorMs,
        cytoscapeAloneMs: Math.round(cytoscapeMs),
        // What is left once both floors are taken off: the page's own work (graph data, layout, React). Negative
        // when the page draws the map for less than cytoscape alone would (a big map's edge layer).
        overBothFloorsMs: Math.round(drawnMs - floorMs - cytoscapeMs),
      });
    }
  } finally {
    await browser.close();
    await product.stop();
  }
  report("map", "Map in headless Chromium (software rendering)", rows as never);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
