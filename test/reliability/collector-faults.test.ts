import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import {
  newSendResult,
  peakRssKiB,
  realisticBatch,
  sendUntil,
  spawnCollector,
  type CollectorProcess,
} from "../helpers/workload";

let db: TestDatabase;
const running: CollectorProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const c of running) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  await db?.drop();
});

/** How many of the given traces' spans are stored. */
async function storedSpansOf(traceIds: string[]): Promise<number> {
  const [row] = await db.sql<{ n: bigint }[]>`
    SELECT count(*)::bigint AS n FROM spans WHERE trace_id = ANY(SELECT decode(t, 'hex') FROM unnest(${traceIds}::text[]) t)`;
  return Number(row!.n);
}

it("SIGKILL under load loses no acknowledged span; a restarted collector takes the retries", async () => {
  const batches = Array.from({ length: 400 }, (_, i) => realisticBatch(i, 100));
  let collector = await spawnCollector(db.url);
  running.push(collector);
  const ports = collector.ports;
  const live = newSendResult();
  const sending = sendUntil(
    () => `http://127.0.0.1:${ports.otlpHttp}/v1/traces`,
    batches,
    6,
    () => false,
    live,
  );
  await new Promise((r) => setTimeout(r, 1500));
  collector.proc.kill("SIGKILL");
  await collector.exited;
  // At the moment of the kill: everything acknowledged so far is in the database.
  const ackedAtKill = [...live.ackedTraceIds];
  const spansAckedAtKill = live.ackedSpans;
  expect(spansAckedAtKill).toBeGreaterThan(0);
  expect(await storedSpansOf(ackedAtKill)).toBe(spansAckedAtKill);
  // The senders keep retrying against the dead port; a new collector on the same ports takes them.
  collector = await spawnCollector(db.url, {}, ports);
  running.push(collector);
  const result = await sending;
  expect(result.statuses["connection error"]).toBeGreaterThan(0);
  expect(result.ackedSpans).toBe(400 * 100);
  // Every acknowledged span is stored, before and after the restart; re-sent batches are not doubled.
  expect(await storedSpansOf(result.ackedTraceIds)).toBe(result.ackedSpans);
  console.log(
    `collector SIGKILL: ${spansAckedAtKill} spans acknowledged (and stored) before the kill, ${result.ackedSpans} acknowledged in all, statuses ${JSON.stringify(result.statuses)}`,
  );
  collector.proc.kill("SIGTERM");
  expect(await collector.exited).toBe(0);
}, 180_000);

it("traffic above capacity gets 503 + Retry-After with bounded memory, and recovers", async () => {
  const collector = await spawnCollector(db.url, {
    WRITE_QUEUE_MAX_SPANS: "10000",
    MAX_INFLIGHT_BYTES: String(16 * 1024 * 1024),
    WRITE_CONCURRENCY: "1",
  });
  running.push(collector);
  const batches = Array.from({ length: 40 }, (_, i) => realisticBatch(i, 1000));
  const flood = Array.from({ length: 600 }, (_, i) => batches[i % batches.length]!);
  const started = Date.now();
  // 32 senders, no back-off beyond 50 ms: far more than one writer can commit.
  const result = await sendUntil(
    () => `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`,
    flood,
    32,
    () => Date.now() - started > 8000,
  );
  const peakMiB = peakRssKiB(collector.proc.pid!) / 1024;
  expect(result.statuses["503"]).toBeGreaterThan(0);
  expect(result.retryAfterMissing).toBe(0);
  // Back-pressure is answered, not dropped: at most a handful of connections (a keep-alive socket closing as the
  // client reuses it) fail outright out of ~1,500 requests, and exporters retry those like a 503.
  const requests = Object.values(result.statuses).reduce((a, b) => a + b, 0);
  expect(result.statuses["connection error"] ?? 0).toBeLessThanOrEqual(requests * 0.01);
  expect(peakMiB).toBeLessThan(400);
  // Recovered: once the flood stops, a request is accepted within seconds (as soon as the queue has drained).
  const recoveryStart = Date.now();
  const after = await sendUntil(
    () => `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`,
    [realisticBatch(999, 100)],
    1,
    () => false,
  );
  const recoveryMs = Date.now() - recoveryStart;
  expect(after.statuses["200"]).toBe(1);
  expect(recoveryMs).toBeLessThan(10_000);
  const metrics = await (await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/metrics`)).text();
  expect(metrics).toMatch(/tracemap_backpressure_total\{protocol="otlp_http"\} [1-9]/);
  console.log(
    `overload: ${requests} requests, statuses ${JSON.stringify(result.statuses)}, ${result.ackedSpans} spans acknowledged in 8 s, collector peak RSS ${peakMiB.toFixed(0)} MiB, accepting again after ${recoveryMs} ms`,
  );
  collector.proc.kill("SIGTERM");
  expect(await collector.exited).toBe(0);
}, 180_000);
