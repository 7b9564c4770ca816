import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces, type SeedTrace } from "../helpers/json-traces";
import { aggregateAll } from "../helpers/aggregate";
import { thinRawSpans } from "../../lib/db/value-retention";
import { loadGraph } from "../../lib/query/graph";
import { startAggregator } from "../../lib/aggregator/worker";

// Retention by value: past the raw retention only traces worth keeping stay, whole; the map does not change.
const ctx = useCollectorDatabase();

it("keeps failed, example, pinned and sampled traces whole past the raw retention, drops the rest, map unchanged", async () => {
  const now = Date.now();
  const old = now - 2 * 3_600_000; // past a 60-minute raw retention
  const trace = (i: number, startMs: number, error = false): SeedTrace => ({
    service: "shop",
    startMs: startMs + i * 10,
    durationMs: 30,
    calls: [
      { target: "orders", durationMs: 10 + (i % 7), error },
      { target: "payments-api", durationMs: 5, virtual: true },
    ],
  });
  await postJsonTraces(ctx.collector.ports.otlpHttp, [
    ...Array.from({ length: 400 }, (_, i) => trace(i, old)),
    ...Array.from({ length: 5 }, (_, i) => trace(400 + i, old, true)),
    ...Array.from({ length: 50 }, (_, i) => trace(i, now - 10 * 60_000)), // inside the raw retention
  ]);
  await aggregateAll(ctx.db.sql);
  const sql = ctx.db.sql;
  const oldTraces = async () =>
    (
      await sql<{ traceId: string; spans: number }[]>`
        SELECT encode(trace_id, 'hex') AS "traceId", count(*)::int AS spans FROM spans
        WHERE start_time < ${new Date(now - 3_600_000)} GROUP BY trace_id`
    )
      .map((r) => r)
      .reduce((m, r) => m.set(r.traceId, r.spans), new Map<string, number>());
  const before = await oldTraces();
  expect(before.size).toBe(405);
  const pinned = [...before.keys()][0]!;
  await sql`INSERT INTO pinned_traces (trace_id, pinned_by) VALUES (decode(${pinned}, 'hex'), 'test')`;
  const graphBefore = await loadGraph(sql, new Date(old - 60_000), new Date(now));

  const policy = { rawMinutes: 60, samplePercent: 10, spanRetentionHours: 24 };
  let until = 0;
  for (let pass = 0; pass < 100 && until < now - 3_600_000; pass++)
    until = (await thinRawSpans(sql, policy, now)).until.getTime();
  expect(until).toBe(now - 3_600_000);
  const after = await oldTraces();

  const failed = await sql<{ t: string }[]>`
    SELECT DISTINCT encode(trace_id, 'hex') AS t FROM spans WHERE status_code = 2`;
  const examples = await sql<{ t: string }[]>`SELECT DISTINCT encode(trace_id, 'hex') AS t FROM edge_examples`;
  const [{ inSample }] = await sql<[{ inSample: number }]>`
    SELECT count(*)::int AS "inSample" FROM unnest(${[...before.keys()]}::text[]) t
    WHERE (hashtext(t) & 2147483647) % 10000 < 1000`;
  const mustKeep = new Set([pinned, ...failed.map((r) => r.t), ...examples.map((r) => r.t)]);
  // Every trace worth keeping is still there, whole.
  for (const t of mustKeep) if (before.has(t)) expect(after.get(t), t).toBe(before.get(t));
  // Everything else went, but for the sample (about 10%): the whole trace or none of it.
  for (const [t, spans] of after) expect(spans).toBe(before.get(t));
  expect(after.size).toBeLessThan(before.size / 2);
  expect(after.size).toBeGreaterThanOrEqual(mustKeep.size);
  expect(after.size).toBeLessThanOrEqual(mustKeep.size + inSample);
  // Spans inside the raw retention are untouched, and the map is exactly what it was.
  const [{ recent }] = await sql<[{ recent: number }]>`
    SELECT count(*)::int AS recent FROM spans WHERE start_time >= ${new Date(now - 3_600_000)}`;
  expect(recent).toBe(50 * 4);
  const graphAfter = await loadGraph(sql, new Date(old - 60_000), new Date(now));
  expect(graphAfter.edges.map((e) => [e.id, e.requests])).toEqual(graphBefore.edges.map((e) => [e.id, e.requests]));

  // A second pass has nothing left to do.
  expect((await thinRawSpans(sql, policy, now)).deleted).toBe(0);
});

it("keeps a span the aggregator has not rolled up yet, whatever its start time", async () => {
  const sql = ctx.db.sql;
  const now = Date.now();
  await postJsonTraces(ctx.collector.ports.otlpHttp, [
    { service: "late", startMs: now - 3 * 3_600_000, durationMs: 5, calls: [] },
  ]);
  // Not aggregated: thinning from further back must leave it.
  await sql`UPDATE raw_span_thinning SET until = ${new Date(now - 4 * 3_600_000)}`;
  await thinRawSpans(sql, { rawMinutes: 60, samplePercent: 0, spanRetentionHours: 24 }, now);
  const [{ n }] = await sql<[{ n: number }]>`SELECT count(*)::int AS n FROM spans WHERE service_name = 'late'`;
  expect(n).toBe(1);
});

it("runs in the aggregator's own loop, beside the aggregation, once the spans are rolled up", async () => {
  const sql = ctx.db.sql;
  await sql`DELETE FROM raw_span_thinning`;
  const start = Date.now() - 3 * 3_600_000;
  await postJsonTraces(
    ctx.collector.ports.otlpHttp,
    Array.from({ length: 60 }, (_, i) => ({
      service: "batch-job",
      startMs: start + i * 1000,
      durationMs: 5,
      calls: [{ target: "warehouse", durationMs: 2, virtual: true }],
    })),
  );
  const worker = startAggregator(sql, {
    intervalMs: 50,
    waitMs: 0,
    shards: 1,
    leaseMs: 10_000,
    spanRetentionHours: 24,
    rollups: { minuteRowsDays: 7, hourRowsDays: 90, epochsHours: 24 },
    retentionIntervalMs: 100,
    valueRetention: { rawMinutes: 60, samplePercent: 0, spanRetentionHours: 24 },
    log: () => {},
  });
  try {
    const left = async () =>
      (await sql<[{ n: number }]>`SELECT count(*)::int AS n FROM spans WHERE service_name = 'batch-job'`)[0].n;
    const examples = async () =>
      (
        await sql<[{ n: number }]>`
          SELECT count(DISTINCT trace_id)::int AS n FROM edge_examples WHERE source = 'batch-job' OR target = 'batch-job'`
      )[0].n;
    // Rolled up first (the examples are chosen), then thinned to the example traces (2 spans each).
    // The spans cover two minutes, thinned one minute at a time: wait for the end state, not the first change.
    await expect.poll(async () => (await left()) - 2 * (await examples()), { timeout: 30_000 }).toBe(0);
    expect(await examples()).toBeGreaterThan(0);
    expect(await left()).toBeLessThan(120);
    const map = await loadGraph(sql, new Date(start - 60_000), new Date(start + 120_000));
    expect(map.edges.find((e) => e.id === "batch-job->warehouse:virtual")?.requests).toBe(60);
  } finally {
    await worker.stop();
  }
});
