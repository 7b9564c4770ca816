// npm run bench:queries: /api/graph, edge series and examples over 15 m, 24 h and 7 d for 50 and 500 services, and
// the trace view of 1k and 10k spans in headless Chromium, against the real product.
// One real minute of traffic per size is aggregated, then its roll-up rows are repeated in SQL over the last 7 days
// (hour rows) and the last 2 hours (minute rows): the row counts a week of such traffic leaves behind.
import { createSql } from "../lib/db/pool";
import { startProduct } from "../test/helpers/product";
import { launchChromium } from "../test/helpers/browser";
import { otlpJsonTraces, postJsonTraces, type SeedCall } from "../test/helpers/json-traces";
import { seed } from "../test/helpers/topology";
import { median, percentile, report, type Row } from "./report";
import { pageLoadFloorMs } from "./page-floor";

const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 20);
const TABLES = ["edge", "service", "quality"] as const;

async function main() {
  const product = await startProduct({ AGGREGATOR_INTERVAL_MS: "200", AGGREGATOR_WAIT_MS: "500" });
  const sql = createSql(`postgres://postgres:postgres@127.0.0.1:${product.ports.pg}/tracemap`, { max: 2 });
  const web = `http://127.0.0.1:${product.ports.web}`;
  const rows: Row[] = [];
  try {
    for (const size of [50, 500]) {
      for (const t of TABLES) await sql.unsafe(`TRUNCATE ${t}_minutes, ${t}_hours`);
      const minute = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
      await postJsonTraces(product.ports.otlpHttp, seed(size, minute + 1000));
      const edgesExpected = seed(size, 0).reduce((n, s) => n + s.calls.length, 0);
      for (let i = 0; ; i++) {
        const [r] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM edge_minutes`;
        if (r!.n >= edgesExpected) break;
        if (i > 600) throw new Error(`aggregation incomplete: ${r!.n} of ${edgesExpected} edges`);
        await new Promise((res) => setTimeout(res, 100));
      }
      const rowsWritten = await replicate(sql, new Date(minute));
      const edge = seed(size, 0)[0]!;
      const edgePath = `/api/edges/${edge.service}/${edge.calls[0]!.target}`;
      for (const [label, from] of [
        ["15m", "now-15m"],
        ["24h", "now-24h"],
        ["7d", "now-7d"],
      ] as const) {
        const graph = await timeGet(`${web}/api/graph?from=${from}`);
        const series = await timeGet(`${web}${edgePath}/series?from=${from}`);
        const examples = await timeGet(`${web}${edgePath}/traces?from=${from}&kind=slowest`);
        rows.push({
          services: size,
          edges: edgesExpected,
          window: label,
          rollupRows: rowsWritten,
          graphFirstMs: graph.first,
          graphP50Ms: graph.p50,
          graphP95Ms: graph.p95,
          seriesP95Ms: series.p95,
          examplesP95Ms: examples.p95,
        });
      }
    }
    rows.push(...(await traceView(product.ports.otlpHttp, web)));
  } finally {
    await sql.end();
    await product.stop();
  }
  report("queries", `Queries (${RUNS} runs each) and trace view`, rows);
}

/** Copies the seeded minute's rows to every minute of the last 2 hours and every hour of the last 7 days. */
async function replicate(sql: ReturnType<typeof createSql>, minute: Date): Promise<number> {
  let written = 0;
  const columns: Record<(typeof TABLES)[number], string> = {
    edge: "source, target, connection_type, source_type, target_type, broker, requests, failed, status_4xx, throttled, raw_spans, raw_failed, client_hist, server_hist",
    service: "service, operation, requests, failed, raw_spans, hist",
    quality: "service, orphan_spans, unpaired_client_spans, unpaired_server_spans, root_server_spans",
  };
  for (const t of TABLES) {
    const c = columns[t];
    const m = await sql.unsafe(
      `INSERT INTO ${t}_minutes (minute, ${c}) SELECT date_trunc('minute', now()) - make_interval(mins => g), ${c}
       FROM ${t}_minutes, generate_series(1, 120) g WHERE minute = $1 ON CONFLICT DO NOTHING`,
      [minute],
    );
    const h = await sql.unsafe(
      `INSERT INTO ${t}_hours (hour, ${c}) SELECT date_trunc('hour', now()) - make_interval(hours => g), ${c}
       FROM ${t}_minutes, generate_series(1, 168) g WHERE minute = $1 ON CONFLICT DO NOTHING`,
      [minute],
    );
    written += m.count + h.count;
  }
  // Rows written behind the aggregator's back must bump their hours' versions, as the aggregator does.
  await sql`
    INSERT INTO rollup_hour_versions AS v (hour, version)
    SELECT hour, nextval('rollup_version_seq') FROM (SELECT DISTINCT hour FROM edge_hours) h
    ON CONFLICT (hour) DO UPDATE SET version = nextval('rollup_version_seq')`;
  await sql`
    INSERT INTO rollup_minute_versions AS v (minute, version)
    SELECT minute, nextval('rollup_version_seq') FROM (SELECT DISTINCT minute FROM edge_minutes) m
    ON CONFLICT (minute) DO UPDATE SET version = nextval('rollup_version_seq')`;
  await sql`ANALYZE`;
  return written;
}

/** The first request (cold: nothing of this window cached yet) and p50/p95 of RUNS more after one more warm-up. */
async function timeGet(url: string): Promise<{ first: number; p50: number; p95: number }> {
  const ms: number[] = [];
  let first = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    if (i === 0) first = performance.now() - t;
    if (i >= 2) ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { first, p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/** Time from navigation until the waterfall's first rows are shown, and until it has scrolled to the end. */
async function traceView(otlpPort: number, web: string): Promise<Row[]> {
  const browser = await launchChromium();
  const out: Row[] = [];
  try {
    // The floor: the trace page for a trace with no spans, until it says so.
    const floorMs = await pageLoadFloorMs(browser, `${web}/traces/${"0".repeat(31)}1`, (page) =>
      page.getByText("Nothing is stored under this address").waitFor(),
    );
    out.push({ trace: "no spans (page load only)", openP50Ms: floorMs });
    for (const spans of [1000, 10_000]) {
      const calls: SeedCall[] = Array.from({ length: Math.round((spans - 1) * 0.6) }, (_, i) => ({
        target: ["inventory", "pricing", "postgres"][i % 3]!,
        durationMs: 0.4,
        virtual: i % 3 === 2,
      }));
      const body = otlpJsonTraces([
        { service: "batch-job", startMs: Date.now() - 60_000, durationMs: 3000, calls },
      ]) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] };
      const traceId = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId;
      const total = body.resourceSpans.reduce((n, r) => n + r.scopeSpans[0]!.spans.length, 0);
      const res = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      if (res.status !== 200) throw new Error(`trace rejected: ${res.status}`);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        const t = performance.now();
        await page.goto(`${web}/traces/${traceId}`);
        await page.getByTestId("waterfall").locator("tbody tr[data-span]").first().waitFor();
        times.push(performance.now() - t);
        const s = performance.now();
        await page.getByTestId("waterfall-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
        await page.waitForFunction((n) => document.querySelector(`[aria-rowindex="${n + 1}"]`), total);
        if (i === 2)
          out.push({ trace: `${total} spans`, openP50Ms: median(times), scrollToEndMs: performance.now() - s });
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
