import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { realisticBatch, sendUntil, spawnCollector } from "../helpers/workload";
import { countSpans } from "../../lib/db/span-reads";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it("runs the receivers in several worker processes on the same ports, stores everything once, stops cleanly", async () => {
  const collector = await spawnCollector(db.url, { COLLECTOR_PROCESSES: "2" });
  try {
    const batches = Array.from({ length: 24 }, (_, i) => realisticBatch(i, 50));
    const sent = await sendUntil(() => `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, batches, 6, () => false);
    expect(sent.ackedSpans).toBe(24 * 50);
    expect(await countSpans(db.sql)).toBe(24 * 50);
    // Two workers listen (each logs its own line); the kernel hands connections to either.
    expect(collector.output().match(/listening: .*\(worker \d+\)/g)).toHaveLength(2);
  } finally {
    collector.proc.kill("SIGTERM");
  }
  expect(await collector.exited).toBe(0);
});
