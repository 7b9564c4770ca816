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
import { loadConfig } from "../lib/config";
import { startCollector } from "../lib/ingest/collector";
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
  const config = loadConfig({ INGEST_HOST: "127.0.0.1", OTLP_HTTP_PORT: "0", OTLP_GRPC_PORT: "0", ZIPKIN_PORT: "0" });
  const collector = await startCollector(config, sql, () => {});
  const url = `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`;
  let next = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
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
  clearInterval(sampler);
  results.ratioToRawCopy = results.endToEndSpansPerSec / results.rawCopySpansPerSec;
  results.processPeakRssMiB = peakRss / 1024 / 1024;
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

  await collector.close();
  await sql.end();
  await pg.stop();
  console.log(`ingest benchmark: ${REQUESTS} requests x ${SPANS_PER_REQUEST} spans (20 attributes each), concurrency ${CONCURRENCY}`);
  console.table(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v * 100) / 100])));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
