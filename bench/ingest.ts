// npm run bench: end-to-end OTLP/HTTP protobuf ingest vs the raw COPY ceiling, then the aggregator catching up,
// all on one embedded PostgreSQL in one run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { createSql } from "../lib/db/pool";
import { migrate } from "../lib/db/migrate";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { decodeExportTraceRequest } from "../lib/ingest/otlp-proto";
import { normalize, defaultLimits } from "../lib/ingest/normalize";
import { COPY_COLUMNS, copyLine } from "../lib/db/span-copy";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { countSpans } from "../lib/db/span-reads";
import { aggregateOnce } from "../lib/aggregator/aggregate";

const SPANS_PER_REQUEST = Number(process.env.BENCH_BATCH ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SERVICES = ["api-gateway", "orders", "payments", "inventory", "catalog", "search", "users", "notify"];

function makeBatch(seed: number): Buffer {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": SERVICES[seed % SERVICES.length]!, "service.version": "1.2.3", "host.name": `host-${seed % 7}` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("bench");
  const spans: ReadableSpan[] = [];
  while (spans.length < SPANS_PER_REQUEST) {
    const root = tracer.startSpan("GET /api/orders/{id}", { kind: SpanKind.SERVER, attributes: attrs(seed) });
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 9; i++) tracer.startSpan(`SELECT orders ${i}`, { kind: SpanKind.CLIENT, attributes: attrs(i) }, ctx).end();
    root.end();
    spans.push(...exporter.getFinishedSpans());
    exporter.reset();
  }
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(0, SPANS_PER_REQUEST))!);
}

function attrs(i: number): Record<string, string | number | boolean> {
  const a: Record<string, string | number | boolean> = {};
  for (let k = 0; k < 20; k++) a[`attr.key.${k}`] = k % 3 === 0 ? i * k : k % 3 === 1 ? `value-${i}-${k}-lorem-ipsum` : k % 2 === 0;
  return a;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "tracemap-bench-"));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: 57000 + Math.floor(Math.random() * 500) });
  const sql = createSql(pg.url, { max: 8 });
  await migrate(sql);
  const bodies = Array.from({ length: REQUESTS }, (_, i) => makeBatch(i));
  const total = SPANS_PER_REQUEST * REQUESTS;
  const results: Record<string, number> = {};

  // 1. Raw COPY ceiling: the same rows COPYed into a plain scratch table by two writers, no HTTP, no dedup.
  const decoded = bodies.map((b) => normalize(decodeExportTraceRequest(b), defaultLimits).spans);
  await sql.unsafe(`CREATE TABLE copy_scratch (LIKE spans INCLUDING DEFAULTS)`);
  const columns = COPY_COLUMNS.join(", ");
  let t = performance.now();
  let nextCopy = 0;
  await Promise.all([0, 1].map(async () => {
    while (nextCopy < decoded.length) {
      const rows = decoded[nextCopy++]!;
      await sql.begin(async (tx) => {
        const w = await tx.unsafe(`COPY copy_scratch (${columns}, start_time) FROM STDIN`).writable();
        await pipeline(Readable.from([rows.map((r) => copyLine(r).slice(0, -1) + "\t" + new Date(Number(r.startNs / 1_000_000n)).toISOString() + "\n").join("")]), w);
      });
    }
  }));
  results.rawCopySpansPerSec = total / ((performance.now() - t) / 1000);

  // 2. End to end: protobuf over HTTP to the collector, acknowledged after commit.
  // The collector runs as its own process, as in production, so its memory is measured alone.
  const httpPort = 47000 + Math.floor(Math.random() * 1000);
  const collector = spawn(process.execPath, ["--import", "tsx", "lib/cli/collector.ts"], {
    env: { ...process.env, DATABASE_URL: pg.url, INGEST_HOST: "127.0.0.1", OTLP_HTTP_PORT: String(httpPort), OTLP_GRPC_PORT: String(httpPort + 1), ZIPKIN_PORT: String(httpPort + 2) },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${httpPort}/v1/traces`;
  await waitForHttp(url);
  let next = 0;

  t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await fetch(url, { method: "POST", body: new Uint8Array(bodies[i % bodies.length]!), headers: { "content-type": "application/x-protobuf" } });
        if (res.status !== 200) throw new Error(`status ${res.status}`);
      }
    }),
  );
  results.endToEndSpansPerSec = total / ((performance.now() - t) / 1000);

  results.ratioToRawCopy = results.endToEndSpansPerSec / results.rawCopySpansPerSec;
  results.collectorPeakRssMiB = peakRssKiB(collector.pid!) / 1024;
  results.storedSpans = await countSpans(sql);

  // 3. Aggregator catching up the whole backlog (one epoch per second of ingest would be typical; here: all at once).
  const epochRuns = { waitMs: 0, epochIntervalMs: 0 };
  t = performance.now();
  await aggregateOnce(sql, epochRuns);
  await new Promise((r) => setTimeout(r, 5));
  await aggregateOnce(sql, epochRuns);
  results.aggregatorBacklogSpansPerSec = results.storedSpans / ((performance.now() - t) / 1000);
  const [edges] = await sql<{ n: number }[]>`SELECT sum(raw_spans)::int AS n FROM edge_minutes`;
  results.aggregatedCalls = edges!.n;

  collector.kill("SIGTERM");
  await new Promise((r) => collector.once("exit", r));
  await sql.end();
  await pg.stop();
  console.log(`ingest benchmark: ${REQUESTS} requests x ${SPANS_PER_REQUEST} spans (20 attributes each), concurrency ${CONCURRENCY}`);
  console.table(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v * 100) / 100])));
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in KiB. */
function peakRssKiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`collector did not start at ${url}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
