import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { median } from "./report";

const CYTOSCAPE = path.join(import.meta.dirname, "..", "node_modules", "cytoscape", "dist", "cytoscape.min.js");

interface Drawing {
  elements: unknown[];
  style: unknown;
  zoom: number;
  pan: { x: number; y: number };
  width: number;
  height: number;
}

/** What the map page drew: its elements (cytoscape's and the edge layer's), stylesheet, viewport and canvas size. */
export function drawingOf(page: Page): Promise<Drawing> {
  return page.evaluate(() => {
    const { __tracemapCy: cy, __tracemapEdgeLayer: layer } = window as unknown as {
      __tracemapCy: import("cytoscape").Core;
      __tracemapEdgeLayer: { pending: unknown[] };
    };
    // The edges the page's layer draws count too: this floor is cytoscape drawing the whole map by itself.
    return {
      elements: [...cy.elements().jsons(), ...layer.pending],
      style: (cy.style() as unknown as { json(): unknown }).json(),
      zoom: cy.zoom(),
      pan: cy.pan(),
      width: cy.width(),
      height: cy.height(),
    };
  });
}

/**
 * The second floor: cytoscape alone drawing the same elements with the same stylesheet, viewport and renderer
 * setting in a blank page (no Next.js, no React, no data to fetch or lay out), from creation until its first
 * render (when ServiceMap marks the map drawn). Median of three, each in a new page.
 */
export async function cytoscapeAloneMs(browser: Browser, drawing: Drawing): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.setContent(`<div id="map" style="width:${drawing.width}px;height:${drawing.height}px"></div>`);
    await page.addScriptTag({ path: CYTOSCAPE });
    times.push(
      await page.evaluate(
        (d) =>
          new Promise<number>((resolve) => {
            const t0 = performance.now();
            const cytoscape = (window as unknown as { cytoscape: typeof import("cytoscape") }).cytoscape;
            const cy = cytoscape({
              container: document.getElementById("map"),
              style: d.style as never,
              minZoom: 0.1,
              maxZoom: 4,
            });
            // As ServiceMap does (skipFirstLayerPass).
            const layers = (
              cy as unknown as { renderer(): { data?: { lyrTxrCache?: { firstGet?: boolean } } } }
            ).renderer().data?.lyrTxrCache;
            if (layers) layers.firstGet = false;
            cy.batch(() => void cy.add(d.elements as never));
            cy.viewport({ zoom: d.zoom, pan: d.pan });
            cy.one("render", () => resolve(performance.now() - t0));
          }),
        drawing,
      ),
    );
    await page.close();
  }
  return median(times);
}
