import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { createSql } from "../../lib/db/pool";
import { nextCommand } from "../../lib/cli/processes";
import { newSendResult, realisticBatch, sendUntil, spawnCollector, type CollectorProcess } from "../helpers/workload";

// PostgreSQL goes away under load: ingest answers 503 + Retry-After and resumes by itself, every span that got a
// 200 is stored, and the dashboard keeps serving with a clear banner. This file stops its own PostgreSQL.
// The outage lasts OUTAGE_SECONDS (10 by default; the minute with OUTAGE_SECONDS=60).
const OUTAGE_MS = Number(process.env.OUTAGE_SECONDS ?? 10) * 1000;
const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "tracemap-outage-")), "pg");
// Below the kernel's ephemeral range (32768 and up), where no outgoing connection can hold a port: the database
// restarts on its port during the test.
const port = 31000 + Math.floor(Math.random() * 700);
const webPort = 31700 + Math.floor(Math.random() * 1000);
let pg: EmbeddedDatabase;
let collector: CollectorProcess;
let web: ChildProcess;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir, port });
  collector = await spawnCollector(pg.url, { RETRY_AFTER_SECONDS: "2" });
  const [bin, ...args] = nextCommand([], "start", "-p", String(webPort));
  web = spawn(bin!, args, {
    env: { ...process.env, DATABASE_URL: pg.url, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${webPort}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 120_000);
afterAll(async () => {
  // A collector that died during the test (ECONNREFUSED above) says why in its own output.
  if (collector && (collector.proc.exitCode !== null || collector.proc.signalCode !== null)) {
    console.error(
      `collector exited early (${collector.proc.exitCode ?? collector.proc.signalCode}):\n${collector.output().slice(-5000)}`,
    );
  }
  web?.kill("SIGTERM");
  collector?.proc.kill("SIGTERM");
  await collector?.exited;
  await pg?.stop();
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
};

it(`PostgreSQL down for ${OUTAGE_MS / 1000} s under load: 503s with Retry-After, resumes alone, no acknowledged span lost, dashboard shows a banner`, async () => {
  const webUrl = `http://127.0.0.1:${webPort}`;
  const ingest = `http://127.0.0.1:${collector.ports.otlpHttp}`;
  expect((await get(`${webUrl}/readyz`)).status).toBe(200);
  const batches = Array.from({ length: 300 }, (_, i) => realisticBatch(i, 100));
  const live = newSendResult();
  const sending = sendUntil(
    () => `${ingest}/v1/traces`,
    batches,
    4,
    () => false,
    live,
  );
  await new Promise((r) => setTimeout(r, 1000));
  const ackedBefore = live.ackedSpans;
  await pg.stop();
  const down = Date.now();

  // While it is down: ingest refuses with 503, the web app answers with a banner instead of failing.
  await new Promise((r) => setTimeout(r, 1500));
  const page = await get(`${webUrl}/`);
  expect(page.status).toBe(200);
  expect(page.text).toContain("Cannot show the map");
  const api = await get(`${webUrl}/api/graph`);
  expect([api.status, JSON.parse(api.text).error]).toEqual([503, "database unavailable"]);
  expect((await get(`${webUrl}/healthz`)).status).toBe(200);
  expect((await get(`${webUrl}/readyz`)).status).toBe(503);
  expect((await get(`${ingest}/healthz`)).status).toBe(200);
  expect((await get(`${ingest}/readyz`)).status).toBe(503);
  const ackedDuring = live.ackedSpans;
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
  expect(live.ackedSpans).toBe(ackedDuring); // nothing acknowledged while the database is away

  pg = await startEmbeddedPostgres({ dataDir, port });
  const result = await sending;
  expect(result.ackedSpans).toBe(300 * 100);
  expect(result.statuses["503"]).toBeGreaterThan(0);
  expect(result.retryAfterMissing).toBe(0);

  const sql = createSql(pg.url, { max: 1 });
  const [row] = await sql<{ n: bigint }[]>`
    SELECT count(*)::bigint AS n FROM spans WHERE trace_id = ANY(SELECT decode(t, 'hex') FROM unnest(${result.ackedTraceIds}::text[]) t)`;
  await sql.end();
  expect(Number(row!.n)).toBe(result.ackedSpans);
  await expect.poll(async () => (await get(`${webUrl}/readyz`)).status, { timeout: 20_000 }).toBe(200);
  expect((await get(`${webUrl}/`)).text).not.toContain("Cannot show the map");
  console.log(
    `database outage ${OUTAGE_MS / 1000} s: ${ackedBefore} spans acknowledged before, ${result.ackedSpans} in all, all stored; statuses ${JSON.stringify(result.statuses)}`,
  );
}, 180_000);
