// npm run bench:map: time until the map of N services is drawn and answers a click, in headless Chromium,
// against the real product on an embedded PostgreSQL. Also writes screenshots to bench-results/.
import { mkdirSync } from "node:fs";
import { startProduct } from "../test/helpers/product";
import { launchChromium } from "../test/helpers/browser";
import { postJsonTraces, type SeedTrace } from "../test/helpers/json-traces";

const SIZES = (process.env.BENCH_MAP_SIZES ?? "15,50,200,500").split(",").map(Number);
const CALLS_PER_SERVICE = 6;

/** Services in 8 tiers; each calls up to CALLS_PER_SERVICE services of later tiers (deterministic). */
function seed(size: number, startMs: number): SeedTrace[] {
  const name = (i: number) => `n${size}-svc-${String(i).padStart(3, "0")}`;
  const tierSize = Math.max(2, Math.ceil(size / 8));
  return Array.from({ length: size }, (_, i) => {
    const next = (Math.floor(i / tierSize) + 1) * tierSize;
    const callees = new Set<number>();
    for (let k = 1; callees.size < Math.min(CALLS_PER_SERVICE, size - next) && next < size && k < 200; k++) {
      callees.add(next + ((i * 7 + k * 13) % (size - next)));
    }
    return {
      service: name(i), startMs: startMs + i * 10, durationMs: 50,
      calls: [...callees].map((j, k) => ({ target: name(j), durationMs: 5 + ((i + k) % 40), error: (i + k) % 17 === 0 })),
    };
  });
}

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
    for (const w of windows) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const url = `http://127.0.0.1:${product.ports.web}/?from=${w.from}&to=${w.to}`;
      const t0 = Date.now();
      await page.goto(url);
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="service-map"]')?.getAttribute("data-nodes")) >= n, w.size, { timeout: 120_000 });
      const drawnMs = Date.now() - t0;
      const nodes = await page.getByTestId("service-map").getAttribute("data-nodes");
      const edges = await page.getByTestId("service-map").getAttribute("data-edges");
      // Interactive: a click on a node selects it (URL updated) and the panel shows it.
      const t1 = Date.now();
      const target = `n${w.size}-svc-000`;
      const pos = await page.evaluate((id) => (window as any).__tracemapCy.getElementById(id).renderedPosition(), target);
      const box = (await page.getByTestId("service-map").boundingBox())!;
      await page.mouse.click(box.x + pos.x, box.y + pos.y);
      await page.waitForURL(/sel=node/);
      await page.getByTestId("selection-panel").waitFor();
      const clickMs = Date.now() - t1;
      await page.screenshot({ path: `bench-results/map-${w.size}.png` });
      const apiMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = Date.now();
        await (await fetch(`http://127.0.0.1:${product.ports.web}/api/graph?from=${w.from}&to=${w.to}`)).json();
        apiMs.push(Date.now() - t);
      }
      apiMs.sort((a, b) => a - b);
      rows.push({ services: w.size, nodes: Number(nodes), edges: Number(edges), apiGraphP50Ms: apiMs[2], drawnMs, clickToPanelMs: clickMs });
      await page.close();
    }
  } finally {
    await browser.close();
    await product.stop();
  }
  console.log("map benchmark (headless Chromium, software rendering)");
  console.table(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
