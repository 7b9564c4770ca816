import { afterAll, beforeAll, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { aggregateAll } from "../helpers/aggregate";
import { applyRollupRetention } from "../../lib/db/retention";
import { dropSpanPartitionsBefore } from "../../lib/db/partitions";
import { countSpans, findTraceSpans } from "../../lib/db/span-reads";
import { loadEdgeExamples } from "../../lib/query/edges";
import { loadGraph } from "../../lib/query/graph";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const collector = await startTestCollector(db.sql);
  await sendShopTraces(
    () => new OTLPTraceExporter({ url: `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces` }),
    30,
  );
  await collector.close();
  await aggregateAll(db.sql);
});
afterAll(async () => {
  await db.drop();
});

const count = async (table: string) => Number((await db.sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
const range = () => ({ from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) });

it("writes minute and hour rows with the same totals", async () => {
  const [m] = await db.sql`SELECT sum(requests)::float8 AS r, sum(raw_spans)::int AS n FROM edge_minutes`;
  const [h] = await db.sql`SELECT sum(requests)::float8 AS r, sum(raw_spans)::int AS n FROM edge_hours`;
  expect(m).toEqual(h);
  expect(m!.r).toBe(150);
});

it("keeps example traces openable after the raw spans are dropped", async () => {
  const slowest = await loadEdgeExamples(
    db.sql,
    { source: "gateway", target: "orders", connectionType: null },
    range(),
    "slowest",
  );
  const errors = await loadEdgeExamples(
    db.sql,
    { source: "gateway", target: "orders", connectionType: null },
    range(),
    "errors",
  );
  const typical = await loadEdgeExamples(
    db.sql,
    { source: "gateway", target: "orders", connectionType: null },
    range(),
    "typical",
  );
  expect(slowest.length).toBeGreaterThanOrEqual(3);
  expect(slowest.length).toBeLessThanOrEqual(3 * 2); // at most 3 per minute; the traces may straddle two minutes
  expect(errors.length).toBeGreaterThanOrEqual(8);
  expect(errors.every((e) => e.status === "error" && e.errorMessage === "out of stock")).toBe(true);
  expect(typical.length).toBeGreaterThanOrEqual(1);

  await dropSpanPartitionsBefore(db.sql, new Date(Date.now() + 3 * 86_400_000));
  expect(await countSpans(db.sql)).toBe(0);
  const kept = await findTraceSpans(db.sql, slowest[0]!.traceId);
  expect(kept.map((s) => s.serviceName).sort()).toEqual([
    "gateway",
    "gateway",
    "gateway",
    "notify",
    "orders",
    "orders",
    "orders",
  ]);
});

it("expires minute rows after their retention and hour rows after theirs", async () => {
  const policy = { minuteRowsDays: 7, hourRowsDays: 90, epochsHours: 24 };
  expect(await count("edge_minutes")).toBeGreaterThan(0);
  await applyRollupRetention(db.sql, policy, new Date(Date.now() + 6 * 86_400_000));
  expect(await count("edge_minutes")).toBeGreaterThan(0);

  await applyRollupRetention(db.sql, policy, new Date(Date.now() + 8 * 86_400_000));
  for (const t of ["edge_minutes", "service_minutes", "quality_minutes", "edge_examples", "example_spans"])
    expect(await count(t)).toBe(0);
  expect(await count("edge_hours")).toBeGreaterThan(0);
  // Long windows still answer from hour rows.
  const longRange = await loadGraph(
    db.sql,
    new Date(Date.now() - 6 * 3600_000),
    new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + 3600_000),
  );
  expect(longRange.edges.find((e) => e.target === "orders")?.requests).toBe(30);

  await applyRollupRetention(db.sql, policy, new Date(Date.now() + 91 * 86_400_000));
  for (const t of ["edge_hours", "service_hours", "quality_hours"]) expect(await count(t)).toBe(0);
});
