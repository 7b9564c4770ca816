import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { useCollectorDatabase } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { realisticBatch } from "../helpers/workload";
import { aggregateOnce, processShards } from "../../lib/aggregator/aggregate";
import { resizeShards, shardProgress } from "../../lib/db/shards";
import { levellingLimit } from "../../lib/domain/shard-leases";
import { loadGraph } from "../../lib/query/graph";

const ctx = useCollectorDatabase();
const WAIT_MS = 2000;
const SHARDS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "lib/cli/aggregator.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: ctx.db.url,
      AGGREGATOR_INTERVAL_MS: "50",
      AGGREGATOR_WAIT_MS: String(WAIT_MS),
      AGGREGATOR_SHARDS: String(SHARDS),
      AGGREGATOR_LEASE_MS: "1500",
    },
    stdio: process.env.TEST_WORKER_LOGS ? "inherit" : "ignore",
  });
}
const stop = async (w: ChildProcess, signal: NodeJS.Signals) => {
  if (w.exitCode !== null || w.signalCode !== null) return; // already gone
  w.kill(signal);
  await new Promise((r) => w.once("exit", r));
};

/** Everything the aggregation wrote that must not depend on how the work was split. */
async function rollupState() {
  const sql = ctx.db.sql;
  const dump = async (query: PromiseLike<readonly unknown[]>) =>
    JSON.stringify(await query, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return {
    edgeMinutes: await dump(sql`SELECT * FROM edge_minutes ORDER BY minute, source, target, connection_type`),
    edgeHours: await dump(sql`SELECT * FROM edge_hours ORDER BY hour, source, target, connection_type`),
    serviceMinutes: await dump(sql`SELECT * FROM service_minutes ORDER BY minute, service, operation`),
    qualityMinutes: await dump(sql`SELECT * FROM quality_minutes ORDER BY minute, service`),
    // Everything but first_seen, which is when the row was written (a run's wall clock, not its data).
    counters: await dump(sql`
      SELECT source, target, connection_type, requests, failed, client_hist, server_hist, source_type, target_type
      FROM edge_counters ORDER BY source, target, connection_type`),
    // "typical" is the example nearest the median as known when it was chosen, so it depends on the order.
    examples: await dump(sql`
      SELECT minute, source, target, connection_type, category, encode(trace_id, 'hex') AS trace, encode(span_id, 'hex') AS span
      FROM edge_examples WHERE category <> 'typical' ORDER BY 1, 2, 3, 4, 5, 6, 7`),
  };
}

async function postBatch(seed: number): Promise<void> {
  const batch = realisticBatch(seed, 400);
  const res = await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: new Uint8Array(batch.body),
  });
  expect(res.status).toBe(200);
}

describe("aggregation sharded by trace id over several worker processes", () => {
  it("three workers with leases (one SIGKILLed) give the same roll-up as a single worker", async () => {
    const workers = [startWorker(), startWorker(), startWorker()];
    const expectedShop: Record<string, { requests: number; errors: number }> = {};
    let maxOwners = 0;
    const countOwners = async () => {
      const [r] = await ctx.db.sql<
        { owners: number }[]
      >`SELECT count(DISTINCT owner)::int AS owners FROM aggregator_leases WHERE expires_at > now()`;
      maxOwners = Math.max(maxOwners, r!.owners);
    };
    try {
      for (let round = 0; round < 6; round++) {
        const sent = await sendShopTraces(
          () => new OTLPTraceExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` }),
          20,
        );
        for (const [k, v] of Object.entries(sent)) {
          expectedShop[k] = {
            requests: (expectedShop[k]?.requests ?? 0) + v.requests,
            errors: (expectedShop[k]?.errors ?? 0) + v.errors,
          };
        }
        await postBatch(round + 1);
        if (round === 2) await stop(workers[0]!, "SIGKILL"); // its shards come free when its leases run out
        await sleep(300);
        await countOwners();
      }
      // Every span is committed; the first epoch recorded from now on bounds them all.
      await sleep(200);
      const last = (await ctx.db.sql<{ last: bigint }[]>`SELECT max(epoch) AS last FROM ingest_epochs`)[0]!.last;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const done = (
          await ctx.db.sql<{ done: bigint }[]>`SELECT min(processed_epoch) AS done FROM aggregator_shards`
        )[0]!.done;
        if (done > last) break;
        if (Date.now() > deadline) throw new Error(`shards stuck at epoch ${done}, need > ${last}`);
        await sleep(200);
      }
    } finally {
      for (const w of workers) await stop(w, "SIGTERM");
    }
    const shards = await ctx.db.sql<{ shard_count: number }[]>`SELECT shard_count FROM aggregator_shards`;
    expect(shards.map((s) => s.shard_count)).toEqual(Array(SHARDS).fill(SHARDS));
    expect(maxOwners).toBeGreaterThanOrEqual(2); // the work really was spread
    const graph = await loadGraph(ctx.db.sql, new Date(Date.now() - 3600_000), new Date(Date.now() + 60_000));
    const edges = Object.fromEntries(
      graph.edges.map((e) => [`${e.source}->${e.target}`, { requests: e.requests, errors: e.errors }]),
    );
    for (const [k, v] of Object.entries(expectedShop)) expect(edges[k]).toEqual(v);
    const sharded = await rollupState();
    expect(JSON.parse(sharded.edgeMinutes).length).toBeGreaterThan(10);

    // The same spans and epochs, aggregated again from scratch by one worker with one shard.
    await ctx.db
      .sql`TRUNCATE edge_minutes, edge_hours, service_minutes, service_hours, quality_minutes, quality_hours, edge_examples, example_spans, edge_counters`;
    await ctx.db.sql`DELETE FROM aggregator_shards`;
    await ctx.db
      .sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at) VALUES (0, 1, 0, now())`;
    await aggregateOnce(ctx.db.sql, { waitMs: WAIT_MS, epochIntervalMs: 0 });
    const single = await rollupState();
    expect(single).toEqual(sharded);
  }, 150_000);

  it("changes the number of shards only once the old shards have reached the same epoch", async () => {
    const sql = ctx.db.sql;
    await sql`DELETE FROM aggregator_shards`;
    await sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at) VALUES (0, 2, 3, now()), (1, 2, 5, now())`;
    expect(await resizeShards(sql, 3)).toBe("uneven");
    const limit = levellingLimit(await shardProgress(sql), 3);
    expect(limit).toBe(5);
    await processShards(sql, [0, 1], WAIT_MS, limit);
    expect((await shardProgress(sql)).map((s) => s.processedEpoch)).toEqual([5, 5]); // shard 1 did not run ahead
    expect(await resizeShards(sql, 3)).toBe("resized");
    expect(await shardProgress(sql)).toEqual(
      [0, 1, 2].map((shard) => ({ shard, shardCount: 3, processedEpoch: 5, earlyEpoch: 5 })),
    );
    expect(await resizeShards(sql, 3)).toBe("unchanged");
  });
});
