import { createServer, type Server } from "node:net";
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
    const sent = await sendUntil(
      () => `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`,
      batches,
      6,
      () => false,
    );
    expect(sent.ackedSpans).toBe(24 * 50);
    expect(await countSpans(db.sql)).toBe(24 * 50);
    // Two workers listen (each logs its own line); the kernel hands connections to either.
    expect(collector.output().match(/listening: .*\(worker \d+\)/g)).toHaveLength(2);
  } finally {
    collector.proc.kill("SIGTERM");
  }
  expect(await collector.exited).toBe(0);
});

it("exits with the worker's error when a port is in use, instead of restarting workers that cannot start", async () => {
  const listening = (s: Server) =>
    new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
  const taken = createServer();
  const free = [createServer(), createServer()];
  const [zipkin, otlpHttp, otlpGrpc] = await Promise.all([taken, ...free].map(listening));
  await Promise.all(free.map((s) => new Promise((r) => s.close(r))));
  try {
    // Restarting forever would keep the primary alive: the helper would give up with "did not start" instead.
    const failure = await spawnCollector(
      db.url,
      { COLLECTOR_PROCESSES: "2" },
      { otlpHttp: otlpHttp!, otlpGrpc: otlpGrpc!, zipkin: zipkin! },
    ).then(
      () => "started",
      (err: unknown) => String(err),
    );
    expect(failure).toMatch(
      new RegExp(`collector exited: [\\s\\S]*EADDRINUSE[\\s\\S]*${zipkin}[\\s\\S]*failed to start`),
    );
  } finally {
    taken.close();
  }
});
