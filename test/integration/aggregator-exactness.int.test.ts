import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { useCollectorDatabase } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { aggregateAll } from "../helpers/aggregate";
import { aggregateOnce } from "../../lib/aggregator/aggregate";
import { loadGraph } from "../../lib/query/graph";

const ctx = useCollectorDatabase();

const window = () => [new Date(Date.now() - 3600_000), new Date(Date.now() + 60_000)] as const;
// Spans of one trace reach the collector from several SDK providers one after another; on a busy machine that
// can take a while, and only partners written within the wait are guaranteed to pair.
const WAIT_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function edgeCounts() {
  const graph = await loadGraph(ctx.db.sql, ...window());
  return Object.fromEntries(
    graph.edges.map((e) => [`${e.source}->${e.target}`, { requests: e.requests, errors: e.errors }]),
  );
}
async function histogramTotals(): Promise<{ requests: number; client: number; server: number }[]> {
  return ctx.db.sql`
    SELECT sum(requests)::float8 AS requests,
           coalesce(sum((SELECT sum(v::float8) FROM jsonb_each_text(client_hist) AS c(k, v))), 0)::float8 AS client,
           coalesce(sum((SELECT sum(v::float8) FROM jsonb_each_text(server_hist) AS s(k, v))), 0)::float8 AS server
    FROM edge_minutes GROUP BY source, target`;
}

function startAggregatorProcess(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "lib/cli/aggregator.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: ctx.db.url,
      AGGREGATOR_INTERVAL_MS: "40",
      AGGREGATOR_WAIT_MS: String(WAIT_MS),
    },
    stdio: "ignore",
  });
}

describe("exact, restart-safe aggregation", () => {
  it("gives exact totals while two aggregator processes are SIGKILLed again and again", async () => {
    const workers = [startAggregatorProcess(), startAggregatorProcess()];
    const expected: Record<string, { requests: number; errors: number }> = {};
    let kills = 0;
    for (let round = 0; round < 8; round++) {
      const sent = await sendShopTraces(
        () => new OTLPTraceExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` }),
        25,
      );
      for (const [k, v] of Object.entries(sent)) {
        expected[k] = {
          requests: (expected[k]?.requests ?? 0) + v.requests,
          errors: (expected[k]?.errors ?? 0) + v.errors,
        };
      }
      await sleep(100 + Math.floor(Math.random() * 400));
      const victim = round % 2;
      workers[victim]!.kill("SIGKILL");
      kills++;
      await new Promise((r) => workers[victim]!.once("exit", r));
      workers[victim] = startAggregatorProcess();
    }
    await sleep(300);
    for (const w of workers) {
      w.kill("SIGKILL");
      await new Promise((r) => w.once("exit", r));
    }
    // Finish in-process: close an epoch after the last span, let its window pass, process the rest.
    await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });
    await sleep(WAIT_MS + 100);
    await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });

    expect(kills).toBe(8);
    expect(await edgeCounts()).toEqual(expected);
    for (const row of await histogramTotals()) {
      // Each call lands in the histograms exactly once too.
      expect(Math.max(row.client, row.server)).toBe(row.requests);
    }
  }, 120_000);

  it("never skips a span written by a transaction that commits after later ones", async () => {
    const before = await edgeCounts();
    const writer = await ctx.db.sql.reserve();
    const traceId = randomBytes(16);
    const startNs = BigInt(Date.now()) * 1_000_000n;
    await writer`BEGIN`;
    await writer`
      INSERT INTO spans (trace_id, span_id, service_name, name, kind, start_time, start_ns, duration_ns, status_code, attributes, resource_id, events, links)
      VALUES (${traceId}, ${randomBytes(8)}, 'slow-writer', 'GET /slow', 2, now(), ${startNs.toString()}, 5000000, 0, '{}', '\\x00', '[]', '[]')`;
    // Later writers commit while the first transaction is still open.
    const later = await sendShopTraces(
      () => new OTLPTraceExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` }),
      5,
    );
    await aggregateAll(ctx.db.sql);
    await aggregateAll(ctx.db.sql);
    expect(await edgeCounts()).toEqual(before); // nothing past the open transaction may be processed yet
    await writer`COMMIT`;
    writer.release();
    await aggregateAll(ctx.db.sql);
    const after = await edgeCounts();
    expect(after["user->slow-writer"]).toEqual({ requests: 1, errors: 0 });
    for (const [k, v] of Object.entries(later)) expect(after[k]!.requests - before[k]!.requests).toBe(v.requests);
  });
});
