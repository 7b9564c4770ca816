// npm run bench:flood: careless instrumentation at scale. BENCH_FLOOD_SERVICES (20,000) distinct service names, each
// calling its own URL-like peer, sent to the whole product; then the sizes and times of what users load, and the
// peak RSS of every process. The cardinality limits (docs/configuration.md) are what keep these bounded.
import { readdirSync, readFileSync } from "node:fs";
import { startProduct } from "../test/helpers/product";
import { postJsonTraces, type SeedTrace } from "../test/helpers/json-traces";
import { peakRssKiB } from "../test/helpers/workload";
import { report, type Row } from "./report";

const SERVICES = Number(process.env.BENCH_FLOOD_SERVICES ?? 20_000);
const MARK = `tracemap-flood-${process.pid}`;

/** The product's processes (they all inherit MARK), by what they run. */
function productProcesses(): { pid: number; role: string }[] {
  const out: { pid: number; role: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, "utf8").includes(`BENCH_FLOOD_MARK=${MARK}`)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const role = /aggregator/.test(cmd)
        ? "aggregator"
        : /next|web/.test(cmd)
          ? "web"
          : /collector/.test(cmd)
            ? "collector"
            : /postgres/.test(cmd)
              ? "postgres"
              : /start\.ts/.test(cmd)
                ? "supervisor"
                : "other";
      out.push({ pid: Number(entry), role });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** The web process's peak RSS so far, in MiB: read after each request, it shows which one raised it. */
const webPeakMiB = () => {
  const web = productProcesses().find((p) => p.role === "web");
  return web ? Math.round(peakRssKiB(web.pid) / 1024) : Number.NaN;
};

async function timed(url: string): Promise<{ ms: number; bytes: number; status: number; webPeak: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: Math.round(performance.now() - t), bytes: body.byteLength, status: res.status, webPeak: webPeakMiB() };
}

async function main() {
  const product = await startProduct({
    AGGREGATOR_INTERVAL_MS: "500",
    AGGREGATOR_WAIT_MS: "1000",
    BENCH_FLOOD_MARK: MARK,
  });
  const rows: Row[] = [];
  try {
    const start = Date.now() - 5 * 60_000;
    const traces: SeedTrace[] = Array.from({ length: SERVICES }, (_, i) => ({
      service: `svc-${i}-${(i * 2654435761) % 1_000_003}`,
      startMs: start + (i % 60_000),
      durationMs: 20,
      calls: [{ target: `https://api.example.com/v1/items/${i}`, durationMs: 5, virtual: true }],
    }));
    const t0 = Date.now();
    await postJsonTraces(product.ports.otlpHttp, traces);
    const web = (path: string) => `http://127.0.0.1:${product.ports.web}${path}`;
    const window = `from=${start - 60_000}&to=${start + 120_000}`;
    // Counted: every flood call (virtual, so after the pairing wait) is in the graph.
    for (;;) {
      const g = await (await fetch(web(`/api/graph?${window}`))).json();
      const calls = g.edges
        .filter((e: { source: string }) => e.source !== "user")
        .reduce((s: number, e: { requests: number }) => s + e.requests, 0);
      if (calls >= SERVICES) break;
      if (Date.now() - t0 > 600_000) throw new Error(`only ${calls} of ${SERVICES} calls counted`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    rows.push({ what: "web peak RSS while counting", value: webPeakMiB(), unit: "MiB", note: "polling /api/graph" });
    rows.push({ what: "sent and counted", value: (Date.now() - t0) / 1000, unit: "s", note: `${SERVICES * 2} spans` });
    const graph = await timed(web(`/api/graph?${window}`));
    const g = await (await fetch(web(`/api/graph?${window}`))).json();
    rows.push({
      what: "/api/graph",
      value: graph.bytes / 1024,
      unit: "KiB",
      note: `${graph.ms} ms, ${g.nodes.length} nodes, ${g.edges.length} edges; web peak ${graph.webPeak} MiB after`,
    });
    const map = await timed(web(`/?${window}`));
    rows.push({
      what: "map page HTML",
      value: map.bytes / 1024,
      unit: "KiB",
      note: `${map.ms} ms; web peak ${map.webPeak} MiB after`,
    });
    const service = await timed(web(`/services/${encodeURIComponent(traces[7]!.service)}?${window}`));
    rows.push({
      what: "service page HTML (a folded service)",
      value: service.bytes / 1024,
      unit: "KiB",
      note: `${service.ms} ms, HTTP ${service.status}`,
    });
    const metrics = await timed(web("/metrics"));
    rows.push({
      what: "/metrics",
      value: metrics.bytes / 1024,
      unit: "KiB",
      note: `${metrics.ms} ms; web peak ${metrics.webPeak} MiB after`,
    });
    for (const p of productProcesses().sort((a, b) => a.role.localeCompare(b.role))) {
      if (p.role === "other") continue;
      rows.push({
        what: `peak RSS ${p.role} (pid ${p.pid})`,
        value: peakRssKiB(p.pid) / 1024,
        unit: "MiB",
        note: "VmHWM",
      });
    }
  } finally {
    await product.stop();
  }
  report("flood", `Flood of ${SERVICES.toLocaleString("en-US")} service names (default limits)`, rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
