// npm run bench:ingest, all on one embedded PostgreSQL in one run, so ratios hold on a noisy machine:
//  1. raw COPY of the decoded rows into a scratch table (the physical ceiling) vs the same spans end to end as OTLP
//     protobuf over HTTP into the collector process (acknowledged after commit), alternating in quarters with it and
//     with a raw COPY into `spans` itself; OTLP JSON and Zipkin rates;
//  2. our OTLP protobuf decoder vs protobufjs on the same payloads;
//  3. the aggregator catching up a backlog of a million spans;
//  4. sustained load at a fixed rate with the aggregator process running: its lag, both processes' peak RSS.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import protobuf from "protobufjs";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { createSql } from "../lib/db/pool";
import { migrate } from "../lib/db/migrate";
import { decodeExportTraceRequest } from "../lib/ingest/otlp-proto";
import { encodeWireAttributes, type WireAttributes } from "../lib/ingest/otlp-attributes";
import { defaultValueLimits, ValueCleaner } from "../lib/ingest/limits";
import { ByteWriter } from "../lib/domain/byte-writer";
import { normalize, defaultLimits } from "../lib/ingest/normalize";
import { COPY_COLUMNS, copyChunks } from "../lib/db/span-copy";
import { countSpans } from "../lib/db/span-reads";
import { dayOf, ensureSpanPartitions } from "../lib/db/partitions";
import type { SpanRecord } from "../lib/model/span";
import { aggregateOnce } from "../lib/aggregator/aggregate";
import { recordEpoch } from "../lib/db/epochs";
import { tsEntry } from "../lib/cli/processes";
import {
  peakRssKiB,
  realisticBatch,
  spawnCollector,
  withNewTraceIds,
  zipkinJson,
  type Batch,
} from "../test/helpers/workload";
import { percentile, report, type Row } from "./report";
import { loadGraph } from "../lib/query/graph";
import { closePosts, post, postAll } from "./post";

const SPANS_PER_REQUEST = Number(process.env.BENCH_BATCH ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const BACKLOG_SPANS = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const SUSTAINED_RATE = Number(process.env.BENCH_RATE ?? 20_000);
const SUSTAINED_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
// The product's default: freshness is measured as users get it (complete pairs must not wait for it).
const PAIRING_WAIT_MS = 30_000;
const WARMUP_REQUESTS = 50;

/** Every process this run starts: stopped when the run dies too, so a failed benchmark leaves no collector behind. */
const children = new Set<ChildProcess>();
const own = <T extends ChildProcess>(p: T): T => (children.add(p), p);
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
});

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "tracemap-bench-"));
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    port: 57000 + Math.floor(Math.random() * 500),
  });
  const sql = createSql(pg.url, { max: 8 });
  await migrate(sql);
  const batches = Array.from({ length: REQUESTS }, (_, i) => realisticBatch(i, SPANS_PER_REQUEST));
  const total = SPANS_PER_REQUEST * REQUESTS;
  const rows: Row[] = [];
  const add = (measure: string, value: number, unit: string, note = "") =>
    rows.push({ measure, value: Math.round(value * 100) / 100, unit, note });

  // 1a. Raw COPY ceiling: the same rows COPYed into a plain scratch table by two writers, no HTTP, no dedup.
  const decoded = batches.map((b) => normalize(decodeExportTraceRequest(b.body), defaultLimits).spans);
  await sql.unsafe(`CREATE TABLE copy_scratch (LIKE spans INCLUDING DEFAULTS)`);
  // 1a'. The same into `spans` itself (other trace ids): what its partitions, indexes and jsonb columns cost
  // PostgreSQL before any collector work. Its rows are removed again after the runs.
  const intoSpans = batches
    .slice(0, 100)
    .map(
      (_, i) =>
        normalize(decodeExportTraceRequest(realisticBatch(100_000 + i, SPANS_PER_REQUEST).body), defaultLimits).spans,
    );
  await ensureSpanPartitions(
    sql,
    new Set([...intoSpans, ...decoded].flat().map((s) => dayOf(Number(s.startNs / 1_000_000n)))),
  );

  // 1b. End to end through the collector process, as `npm start` runs it.
  const collector = await spawnCollector(pg.url);
  own(collector.proc);
  const otlpUrl = `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`;
  const sendTimed = async (bodies: (Buffer | string)[], type: string, url: string, into = timed()) => {
    into.ms += await postAll(url, bodies, type, CONCURRENCY);
    into.spans += bodies.length * SPANS_PER_REQUEST;
    return into;
  };
  const rate = async (bodies: (Buffer | string)[], type: string, url: string) =>
    perSecond(await sendTimed(bodies, type, url));

  // The three alternate in quarters, so a checkpoint, autovacuum or the box slowing down falls on all of them alike:
  // run one after the other, the same COPY had once read 31k against 56k.
  const scratchTime = timed();
  const spansTime = timed();
  const e2eTime = timed();
  const bodies = batches.map((b) => b.body);
  // Warm-up, not counted: a fresh process decodes and encodes its first ~100k spans before V8 has optimized those
  // paths (~40k instead of ~52k spans/s over its first 200k spans). A collector in service is long past that.
  const warmUp = (url: string, salt: number) =>
    sendTimed(
      bodies.slice(0, WARMUP_REQUESTS).map((b) => withNewTraceIds(b, salt)),
      "application/x-protobuf",
      url,
    );
  await warmUp(otlpUrl, 0xbeef);
  for (let q = 0; q < 4; q++) {
    const quarter = <T>(xs: T[]) => xs.slice((q * xs.length) / 4, ((q + 1) * xs.length) / 4);
    await copyTimed(sql, "copy_scratch", quarter(decoded), scratchTime);
    await copyTimed(sql, "spans", quarter(intoSpans), spansTime);
    await sendTimed(quarter(bodies), "application/x-protobuf", otlpUrl, e2eTime);
  }
  const rawCopy = perSecond(scratchTime);
  const rawCopySpans = perSecond(spansTime);
  const e2e = perSecond(e2eTime);
  await sql`DROP TABLE copy_scratch`;
  const copiedTraces = [...new Set(intoSpans.flat().map((s) => s.traceId.toString("hex")))];
  await sql.unsafe(`DELETE FROM spans WHERE trace_id IN (SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)`, [
    copiedTraces,
  ]);
  add("raw COPY of the same rows (ceiling)", rawCopy, "spans/s", `${total} spans, 20 attributes each`);
  add(
    "raw COPY into the spans table itself",
    rawCopySpans,
    "spans/s",
    "partitions, primary key, indexes: no collector work at all",
  );
  add(
    "end to end OTLP/HTTP protobuf",
    e2e,
    "spans/s",
    `concurrency ${CONCURRENCY}, ${SPANS_PER_REQUEST} spans/request, in quarters alternating with both COPYs, after ${WARMUP_REQUESTS} warm-up requests`,
  );
  add("end to end / raw COPY", e2e / rawCopy, "ratio");
  add(
    "end to end / raw COPY into spans",
    e2e / rawCopySpans,
    "ratio",
    "1.0 would mean the collector's own work cost nothing",
  );
  // The same spans again as JSON and Zipkin (fresh trace ids would be fairer to the database; re-sent ids are
  // deduplicated by the same INSERT, so the work per span is comparable).
  const jsonBodies = batches
    .slice(0, 60)
    .map((b) =>
      Buffer.from(
        JsonTraceSerializer.serializeRequest(realisticBatch(b.spans + 7, SPANS_PER_REQUEST).sdkSpans)!,
      ).toString("utf8"),
    );
  add("end to end OTLP/HTTP JSON", await rate(jsonBodies, "application/json", otlpUrl), "spans/s", "60 requests");
  const zipkinBodies = batches
    .slice(0, 60)
    .map((_, i) => zipkinJson(realisticBatch(1000 + i, SPANS_PER_REQUEST).sdkSpans));
  add(
    "end to end Zipkin v2 JSON",
    await rate(zipkinBodies, "application/json", `http://127.0.0.1:${collector.ports.zipkin}/api/v2/spans`),
    "spans/s",
    "60 requests",
  );
  add("collector peak RSS (VmHWM)", peakRssKiB(collector.proc.pid!) / 1024, "MiB", "during the runs above");
  // The same with COLLECTOR_PROCESSES=2 (fresh spans: re-sent ones would take the deduplicating path).
  const twoCollectors = await spawnCollector(pg.url, { COLLECTOR_PROCESSES: "2" });
  own(twoCollectors.proc);
  const fresh = Array.from({ length: REQUESTS / 2 }, (_, i) => realisticBatch(20_000 + i, SPANS_PER_REQUEST).body);
  const twoUrl = `http://127.0.0.1:${twoCollectors.ports.otlpHttp}/v1/traces`;
  await warmUp(twoUrl, 0xbeee);
  add(
    "end to end OTLP/HTTP protobuf, 2 collector processes",
    await rate(fresh, "application/x-protobuf", twoUrl),
    "spans/s",
    `${fresh.length} requests, after ${WARMUP_REQUESTS} warm-up requests`,
  );
  twoCollectors.proc.kill("SIGTERM");
  await twoCollectors.exited;

  // 2. Decoder micro-benchmark.
  const { jsonMs, objectsMs, protobufjsMs } = decoderBench(batches.slice(0, 50));
  add(
    "our OTLP protobuf decoder, as the collector runs it",
    (50 * SPANS_PER_REQUEST) / (jsonMs / 1000),
    "spans/s",
    "span fields decoded, attributes written as stored JSON",
  );
  add(
    "our OTLP protobuf decoder, attributes as objects",
    (50 * SPANS_PER_REQUEST) / (objectsMs / 1000),
    "spans/s",
    "everything as JS values, like protobufjs",
  );
  add(
    "protobufjs decode, same payloads",
    (50 * SPANS_PER_REQUEST) / (protobufjsMs / 1000),
    "spans/s",
    "message objects, lazy Longs",
  );

  // 3. Backlog: the stored spans copied under new trace ids, in epochs of the original size, up to BACKLOG_SPANS.
  const stored = await countSpans(sql);
  const backlog = await buildBacklog(sql, stored);
  let t = performance.now();
  await aggregateOnce(sql, { waitMs: 0, epochIntervalMs: 0 });
  await new Promise((r) => setTimeout(r, 5));
  await aggregateOnce(sql, { waitMs: 0, epochIntervalMs: 0 });
  add(
    "aggregator catching up a backlog",
    backlog / ((performance.now() - t) / 1000),
    "spans/s",
    `${backlog} spans in ${Math.ceil(backlog / stored)} epochs`,
  );
  const singleTotal = await rolledUpSpans(sql);

  // 3b. The same backlog again from scratch, shared by two aggregator processes on two trace-id shards.
  const [bin, ...args] = tsEntry("lib/cli/aggregator.ts");
  await sql`TRUNCATE edge_minutes, edge_hours, service_minutes, service_hours, quality_minutes, quality_hours, edge_examples, example_spans, edge_counters`;
  await sql`DELETE FROM aggregator_shards`;
  await sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at) VALUES (0, 2, 0, now()), (1, 2, 0, now())`;
  const lastEpoch = (await sql<{ e: bigint }[]>`SELECT max(epoch) AS e FROM ingest_epochs`)[0]!.e;
  t = performance.now();
  const pair = [0, 1].map(() =>
    own(
      spawn(bin!, args, {
        env: {
          ...process.env,
          DATABASE_URL: pg.url,
          AGGREGATOR_SHARDS: "2",
          AGGREGATOR_WAIT_MS: "0",
          AGGREGATOR_INTERVAL_MS: "100",
        },
        stdio: "ignore",
      }),
    ),
  );
  while (
    (await sql<{ done: bigint }[]>`SELECT min(processed_epoch) AS done FROM aggregator_shards`)[0]!.done < lastEpoch
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const sharedSeconds = (performance.now() - t) / 1000;
  await Promise.all(pair.map((p) => new Promise((r) => (p.once("exit", r), p.kill("SIGTERM")))));
  const sharedTotal = await rolledUpSpans(sql);
  add(
    "aggregator backlog, 2 processes x 2 shards",
    backlog / sharedSeconds,
    "spans/s",
    `same roll-up as one worker: ${sharedTotal === singleTotal ? "yes" : `NO (${sharedTotal} vs ${singleTotal})`}`,
  );

  // 4. Sustained load with the aggregator process running. Back to one shard, as a fresh install runs: resizing from
  // the two shards above would hold every early pass until both passes of both shards are level (one pairing wait).
  const done = (await sql<{ done: bigint }[]>`SELECT min(processed_epoch) AS done FROM aggregator_shards`)[0]!.done;
  await sql`DELETE FROM aggregator_shards`;
  await sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, early_epoch, updated_at) VALUES (0, 1, ${done.toString()}::bigint, ${done.toString()}::bigint, now())`;
  const aggregator = own(
    spawn(bin!, args, {
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        AGGREGATOR_WAIT_MS: String(PAIRING_WAIT_MS),
        AGGREGATOR_INTERVAL_MS: "1000",
      },
      stdio: "ignore",
    }),
  );
  await new Promise((r) => setTimeout(r, 3000));
  const sustained = await sustainedLoad(collector.ports.otlpHttp, sql);
  add(`sustained load offered (${SUSTAINED_SECONDS} s)`, SUSTAINED_RATE, "spans/s");
  add("sustained load acknowledged", sustained.acknowledgedPerSec, "spans/s");
  add(
    "freshness p50: pair acknowledged -> in /api/graph",
    sustained.freshP50,
    "s",
    `${sustained.probes} probe pairs, one a second, during the load`,
  );
  add("freshness p95: pair acknowledged -> in /api/graph", sustained.freshP95, "s", "target <= 5 s");
  add(
    "aggregator lag p50 during sustained load (final pass)",
    sustained.lagP50,
    "s",
    "every request new spans (new trace ids)",
  );
  add(
    "aggregator lag p95 during sustained load (final pass)",
    sustained.lagP95,
    "s",
    `includes the ${PAIRING_WAIT_MS / 1000} s pairing wait`,
  );
  add("aggregator lag max", sustained.lagMax, "s");
  add("aggregator peak RSS (VmHWM)", peakRssKiB(aggregator.pid!) / 1024, "MiB");
  add("collector peak RSS (VmHWM), whole run", peakRssKiB(collector.proc.pid!) / 1024, "MiB");

  aggregator.kill("SIGTERM");
  collector.proc.kill("SIGTERM");
  await Promise.all([new Promise((r) => aggregator.once("exit", r)), collector.exited]);
  closePosts();
  await sql.end();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
  report("ingest", `Ingest and aggregation (${REQUESTS} x ${SPANS_PER_REQUEST} spans, 20 attributes each)`, rows);
}

/** Spans counted into edges, a checksum of the roll-up. */
async function rolledUpSpans(sql: ReturnType<typeof createSql>): Promise<string> {
  const [row] = await sql<
    { n: string }[]
  >`SELECT coalesce(sum(raw_spans), 0)::text || '/' || count(*) AS n FROM edge_minutes`;
  return row!.n;
}

/** Copies the stored spans under new trace ids, one epoch per copy, until the unaggregated backlog reaches BACKLOG_SPANS. */
async function buildBacklog(sql: ReturnType<typeof createSql>, stored: number): Promise<number> {
  await recordEpoch(sql, 0); // bounds what was ingested so far: the copies are made of these
  let backlog = stored;
  // At least BACKLOG_SPANS: whole copies of what is stored, so each epoch is a realistic mix.
  for (let k = 1; backlog < BACKLOG_SPANS; k++) {
    const r = await sql.unsafe(
      `INSERT INTO spans (${COPY_COLUMNS.join(", ")})
       SELECT ${COPY_COLUMNS.map((c) => (c === "trace_id" ? "decode(md5(encode(trace_id, 'hex') || $1), 'hex')" : c)).join(", ")}
       FROM spans WHERE ingest_xid < (SELECT min(xid_bound) FROM ingest_epochs)`,
      [`copy-${k}`],
    );
    backlog += r.count;
    await recordEpoch(sql, 0);
  }
  return backlog;
}

/** Spans handled and the time it took, summed over the runs of one measurement. */
interface Timed {
  spans: number;
  ms: number;
}
const timed = (): Timed => ({ spans: 0, ms: 0 });
const perSecond = (t: Timed) => t.spans / (t.ms / 1000);

/** COPYs decoded batches into `table` by two writers, one transaction per batch; adds the spans and time to `into`. */
async function copyTimed(
  sql: ReturnType<typeof createSql>,
  table: "spans" | "copy_scratch",
  decoded: SpanRecord[][],
  into: Timed,
): Promise<void> {
  const columns = COPY_COLUMNS.join(", ");
  const t = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < decoded.length) {
        const spans = decoded[next++]!;
        await sql.begin(async (tx) => {
          const w = await tx.unsafe(`COPY ${table} (${columns}) FROM STDIN`).writable();
          await pipeline(Readable.from(copyChunks(spans)), w);
        });
      }
    }),
  );
  into.ms += performance.now() - t;
  into.spans += decoded.reduce((n, b) => n + b.length, 0);
}

function decoderBench(batches: Batch[]): { jsonMs: number; objectsMs: number; protobufjsMs: number } {
  const root = protobuf.parse(readFileSync(path.join(import.meta.dirname, "otlp-trace.proto"), "utf8")).root;
  const Request = root.lookupType("bench.ExportTraceServiceRequest");
  const time = (f: (b: Buffer) => unknown) => {
    for (const b of batches.slice(0, 5)) f(b.body); // warm up
    const t0 = performance.now();
    for (let r = 0; r < 3; r++) for (const b of batches) f(b.body);
    return (performance.now() - t0) / 3;
  };
  const spansOf = (b: Buffer) => decodeExportTraceRequest(b).flatMap((g) => g.scopes.flatMap((sc) => sc.spans));
  const wire = (s: { attributes: unknown }) => s.attributes as WireAttributes;
  return {
    jsonMs: time((b) => {
      const out = new ByteWriter(b.length);
      const clean = new ValueCleaner(defaultValueLimits);
      for (const s of spansOf(b)) encodeWireAttributes(out, wire(s), clean);
    }),
    objectsMs: time((b) => spansOf(b).map((s) => wire(s).toObject())),
    protobufjsMs: time((b) => Request.decode(b)),
  };
}

/**
 * Offers SUSTAINED_RATE spans/s in 100 ms slices; samples the aggregator lag from the collector's /metrics; once a
 * second sends a probe pair (client and server span of a new edge) and times its acknowledgement to its edge in
 * /api/graph's answer (loadGraph, what the route serves), polled every 200 ms.
 */
async function sustainedLoad(
  port: number,
  sql: ReturnType<typeof createSql>,
): Promise<{
  acknowledgedPerSec: number;
  lagP50: number;
  lagP95: number;
  lagMax: number;
  freshP50: number;
  freshP95: number;
  probes: number;
}> {
  const perSlice = Math.round(SUSTAINED_RATE / 10);
  const pool = Array.from({ length: 40 }, (_, i) => realisticBatch(5000 + i, perSlice));
  const url = `http://127.0.0.1:${port}/v1/traces`;
  const lags: number[] = [];
  let acknowledged = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let samplerError: unknown = null;
  const sampler = setInterval(async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = /^tracemap_aggregator_lag_seconds (\S+)$/m.exec(text);
      if (m) lags.push(Number(m[1]));
    } catch (err) {
      samplerError ??= err;
    }
  }, 1000);
  const probes = freshnessProbes(url, sql);
  for (let slice = 0; slice < SUSTAINED_SECONDS * 10; slice++) {
    const due = start + slice * 100;
    if (slice % 10 === 5) probes.send(slice / 10);
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    // Each pass over the pool under new trace ids: re-sent spans would be deduplicated and never reach the aggregator.
    const body = withNewTraceIds(pool[slice % pool.length]!.body, Math.floor(slice / pool.length) + 1);
    inFlight.push(
      post(url, body, "application/x-protobuf").then((status) => {
        if (status === 200) acknowledged += perSlice;
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  clearInterval(sampler);
  const fresh = await probes.finish(15_000);
  if (samplerError) throw new Error("reading the aggregator lag from /metrics failed", { cause: samplerError });
  lags.sort((a, b) => a - b);
  return {
    acknowledgedPerSec: acknowledged / elapsed,
    lagP50: percentile(lags, 50),
    lagP95: percentile(lags, 95),
    lagMax: lags[lags.length - 1]!,
    freshP50: percentile(fresh, 50),
    freshP95: percentile(fresh, 95),
    probes: fresh.length,
  };
}

/** Probe pairs: each a new edge probe-<n> -> probe-target; seconds from acknowledgement to the edge in the graph. */
function freshnessProbes(url: string, sql: ReturnType<typeof createSql>) {
  const acked = new Map<string, number>();
  const seconds: number[] = [];
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  let stopped = false;
  const poller = (async () => {
    while (!stopped || acked.size > 0) {
      const graph = await loadGraph(sql, new Date(Date.now() - 120_000), new Date(Date.now() + 60_000));
      const now = performance.now();
      for (const e of graph.edges) {
        const at = acked.get(e.source);
        if (at !== undefined && e.target === "probe-target") {
          seconds.push((now - at) / 1000);
          acked.delete(e.source);
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    send(n: number) {
      const traceId = hex(32);
      const client = hex(16);
      const t = BigInt(Date.now() - 20) * 1_000_000n;
      const source = `probe-${n}`;
      const body = JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [str("service.name", source)] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: client,
                    name: "probe",
                    kind: 3,
                    startTimeUnixNano: String(t),
                    endTimeUnixNano: String(t + 10_000_000n),
                  },
                ],
              },
            ],
          },
          {
            resource: { attributes: [str("service.name", "probe-target")] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: hex(16),
                    parentSpanId: client,
                    name: "probe",
                    kind: 2,
                    startTimeUnixNano: String(t + 1_000_000n),
                    endTimeUnixNano: String(t + 9_000_000n),
                  },
                ],
              },
            ],
          },
        ],
      });
      void post(url, body, "application/json").then((status) => {
        if (status === 200) acked.set(source, performance.now());
      });
    },
    async finish(timeoutMs: number): Promise<number[]> {
      stopped = true;
      const deadline = performance.now() + timeoutMs;
      while (acked.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      // A probe never seen counts as the whole timeout: it must not vanish from the percentiles.
      for (const at of acked.values()) seconds.push((deadline - at) / 1000);
      acked.clear();
      await poller;
      return seconds.sort((a, b) => a - b);
    },
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
