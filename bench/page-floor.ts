import type { Browser, Page } from "playwright-core";
import { median } from "./report";

/**
 * The floor on this machine, in the same run: the median of three loads of a page that has nothing to draw (each in
 * a new browser context), until `ready` resolves. The pages with data are read against it.
 */
export async function pageLoadFloorMs(
  browser: Browser,
  url: string,
  ready: (page: Page) => Promise<unknown>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const t = performance.now();
    await page.goto(url);
    await ready(page);
    times.push(performance.now() - t);
    await page.close();
  }
  return median(times);
}
