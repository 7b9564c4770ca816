// npm run bench:storage: what a stored span costs on disk, for spans as Kubernetes SDKs send them (a resource of ~25
// attributes shared by every span of a service instance, 20 span attributes), next to their OTLP protobuf bytes; in
// the same run the end-to-end ingest rate, trace-by-id and attribute-search p95. The yardstick of issue "Data volume".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { createSql } from "../lib/db/pool";
import { migrate } from "../lib/db/migrate";
import { findTraceSpans } from "../lib/db/span-reads";
import { searchTraces } from "../lib/db/trace-search";
import { parseTraceSearch } from "../lib/domain/trace-search";
import { spawnCollector } from "../test/helpers/workload";
import { aggregateAll } from "../test/helpers/aggregate";
import { thinRawSpans } from "../lib/db/value-retention";
import { compactRawSpans } from "../lib/db/compaction";
import { postAll } from "./post";
import { podBatch, SPANS_PER_REQUEST } from "./k8s-spans";
import { percentile, report, type Row } from "./report";

const REQUESTS = Number(process.env.BENCH_STORAGE_REQUESTS ?? 100);

/** The 95th percentile of `runs` sequential calls' times, in ms. */
async function p95Ms(runs: number, call: (k: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await call(k);
    times.push(performance.now() - t);
  }
  return percentile(
    times.sort((a, b) => a - b),
    95,
  );
}

/** Sends the requests to a collector of its own, four at a time; returns spans per second. */
async function ingestRate(pgUrl: string, bodies: Buffer[]): Promise<number> {
  const collector = await spawnCollector(pgUrl);
  try {
    const url = `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`;
    const ms = await postAll(url, bodies, "application/x-protobuf", 4);
    return (bodies.length * SPANS_PER_REQUEST) / (ms / 1000);
  } finally {
    collector.proc.kill("SIGTERM");
    await collector.exited;
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "tracemap-bench-storage-"));
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    port: 57500 + Math.floor(Math.random() * 400),
  });
  const sql = createSql(pg.url, { max: 4 });
  const rows: Row[] = [];
  const add = (measure: string, value: number, unit: string, note = "") =>
    rows.push({ measure, value: Math.round(value * 100) / 100, unit, note });
  try {
    await migrate(sql);
    const batches = Array.from({ length: REQUESTS }, (_, i) => podBatch(i));
    const protobufBytes = batches.reduce((s, b) => s + b.body.length, 0);
    const total = REQUESTS * SPANS_PER_REQUEST;
    add(
      "ingest end to end (OTLP protobuf)",
      await ingestRate(
        pg.url,
        batches.map((b) => b.body),
      ),
      "spans/s",
      `${total} spans`,
    );
    await sql`VACUUM (ANALYZE) spans`;
    const [size] = await sql<{ heap: string; toast: string; indexes: string; count: string }[]>`
      SELECT sum(pg_relation_size(c.oid)) AS heap,
             sum(CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END) AS toast,
             sum(pg_indexes_size(c.oid)) AS indexes,
             (SELECT count(*) FROM spans) AS count
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'spans'::regclass`;
    const stored = Number(size!.count);
    const perSpan = (b: string) => Number(b) / stored;
    add("OTLP protobuf request bytes", protobufBytes / total, "B/span", `${stored} spans stored`);
    const [{ resourcesBytes }] = await sql<[{ resourcesBytes: string }]>`
      SELECT pg_total_relation_size('resources') AS "resourcesBytes"`;
    add(
      "stored: heap + TOAST + indexes (+ resources)",
      perSpan(size!.heap) + perSpan(size!.toast) + perSpan(size!.indexes) + perSpan(resourcesBytes),
      "B/span",
      "after VACUUM",
    );
    add("stored: heap", perSpan(size!.heap), "B/span");
    add("stored: TOAST", perSpan(size!.toast), "B/span");
    add("stored: indexes", perSpan(size!.indexes), "B/span");
    const indexes = await sql<{ name: string; bytes: string }[]>`
      SELECT regexp_replace(ic.relname, '^spans_p[0-9]+_', 'spans_*_') AS name, sum(pg_relation_size(ic.oid)) AS bytes
      FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid JOIN pg_class ic ON ic.oid = x.indexrelid
      WHERE i.inhparent = 'spans'::regclass GROUP BY 1 ORDER BY 2 DESC`;
    for (const ix of indexes) add(`  index ${ix.name}`, perSpan(ix.bytes), "B/span");
    const [columns] = await sql<{ attributes: string; resource: string; resources: string; sets: string }[]>`
      SELECT avg(pg_column_size(attributes)) AS attributes, avg(pg_column_size(resource_id)) AS resource,
             pg_total_relation_size('resources') AS resources, (SELECT count(*) FROM resources) AS sets FROM spans`;
    add("  column attributes (as stored)", Number(columns!.attributes), "B/span");
    add("  column resource_id (as stored)", Number(columns!.resource), "B/span", "resources stored once");
    add(
      "resources table",
      Number(columns!.resources) / stored,
      "B/span",
      `${columns!.sets} attribute sets, ${Math.round(Number(columns!.resources) / 1024)} KiB in all`,
    );

    // Reads in the same run: a trace by id, and an attribute search over the whole window.
    const ids = batches.flatMap((b) => b.traceIds);
    const w = { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) };
    const tenant = (k: number) => parseTraceSearch(new URLSearchParams({ attr: `app.tenant=tenant-${k}` }));
    const reads = async (tier: string) => {
      const byId = await p95Ms(200, (k) => findTraceSpans(sql, ids[(k * 7919) % ids.length]!));
      add(`trace by id p95 (${tier})`, byId, "ms", "200 lookups");
      const search = await p95Ms(20, (k) => searchTraces(sql, tenant(k), w, 50));
      add(`attribute search p95 (${tier})`, search, "ms", "20 searches, 1 h, 50 newest");
      const longest = (k: number) => ({ ...tenant(k), sort: "longest" as const });
      const all = await p95Ms(5, (k) => searchTraces(sql, longest(k), w, 50));
      add(`attribute search p95, longest first (${tier})`, all, "ms", "5 searches, 50 longest");
      const errors = (k: number) => ({ ...tenant(k), sort: "errors" as const });
      const every = await p95Ms(5, (k) => searchTraces(sql, errors(k), w, 50));
      add(`attribute search p95, most errors first (${tier})`, every, "ms", "5 searches, 50 with most errors");
    };
    await reads("raw");

    // Compaction: once rolled up and SPAN_COMPACT_AFTER_MINUTES old, each trace's spans of a minute are one
    // deflated row. Measured after VACUUM FULL (the live rows; under steady load freed space is reused).
    await aggregateAll(sql);
    const compactAt = Date.now() + 3_600_000; // every bench span is past the compaction delay then
    const t1 = performance.now();
    let compacted = 0;
    for (let pass = 0; pass < 50; pass++) {
      const c = await compactRawSpans(sql, { afterMinutes: 15, spanRetentionHours: 3 }, compactAt, 60_000);
      compacted += c.spans;
      if (c.until.getTime() >= compactAt - 15 * 60_000) break;
    }
    add("compaction", compacted / ((performance.now() - t1) / 1000), "spans/s", `${compacted} spans moved`);
    await sql`VACUUM FULL spans`;
    await sql`VACUUM FULL trace_chunks`;
    await sql`VACUUM FULL example_spans`;
    const [chunked] = await sql<{ chunks: string; rows: string; spans: string; examples: string; names: string }[]>`
      SELECT (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i
                WHERE i.inhparent = 'trace_chunks'::regclass) AS chunks,
             (SELECT count(*) FROM trace_chunks) AS rows,
             (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i
                WHERE i.inhparent = 'spans'::regclass) AS spans,
             pg_total_relation_size('example_spans') AS examples, pg_total_relation_size('span_names') AS names`;
    const compactedPerSpan =
      (Number(chunked!.chunks) + Number(chunked!.spans) + Number(chunked!.examples) + Number(chunked!.names)) / stored +
      perSpan(resourcesBytes);
    add(
      "stored, compacted: chunks + example copies + resources",
      compactedPerSpan,
      "B/span",
      `${chunked!.rows} chunks; after VACUUM FULL`,
    );
    add("  trace_chunks (heap + TOAST + indexes)", Number(chunked!.chunks) / stored, "B/span");
    add("  example_spans (copies of example traces)", Number(chunked!.examples) / stored, "B/span");
    add("  span_names + resources", (Number(chunked!.names) + Number(resourcesBytes)) / stored, "B/span");
    await reads("compacted");

    // Retention by value: once past RAW_SPAN_RETENTION_MINUTES, only failed, example, pinned and sampled (1%)
    // traces stay. Measured after the aggregator ran (examples chosen) and a VACUUM FULL (the live rows' size:
    // under steady ingest the space deleted rows leave is reused, not returned).
    const later = Date.now() + 2 * 3_600_000; // every bench span is past a 60-minute raw retention then
    const policy = { rawMinutes: 60, samplePercent: 1, spanRetentionHours: 3 };
    for (let pass = 0; pass < 50; pass++)
      if ((await thinRawSpans(sql, policy, later)).until.getTime() >= later - 3_600_000) break;
    await sql`VACUUM FULL trace_chunks`;
    await sql`VACUUM FULL example_spans`;
    const [kept] = await sql<{ spans: string; traces: string; bytes: string; examples: string }[]>`
      SELECT (SELECT coalesce(sum(span_count), 0) FROM trace_chunks) AS spans,
             (SELECT count(DISTINCT trace_id) FROM trace_chunks) AS traces,
             (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i
                WHERE i.inhparent = 'trace_chunks'::regclass) AS bytes,
             pg_total_relation_size('example_spans') + pg_total_relation_size('resources') AS examples`;
    const keptPerIngested = (Number(kept!.bytes) + Number(kept!.examples)) / stored;
    add(
      "kept past the raw retention (1% sample)",
      (100 * Number(kept!.spans)) / stored,
      "% of spans",
      `${kept!.traces} of ${ids.length} traces: failed, examples, sample`,
    );
    add(
      "stored per ingested span, thinned",
      keptPerIngested,
      "B/span",
      "chunks + example copies + resources, after VACUUM FULL",
    );
    const perDayTB = (bytesPerSpan: number) => (bytesPerSpan * 20_000 * 86_400) / 1e12;
    const fullPerSpan = perSpan(size!.heap) + perSpan(size!.toast) + perSpan(size!.indexes) + perSpan(resourcesBytes);
    const hourTB = (bytesPerSpan: number, minutes: number) => (bytesPerSpan * 20_000 * 60 * minutes) / 1e12;
    add("a day at 20k spans/s, every span kept raw", perDayTB(fullPerSpan), "TB/day", "SPAN_COMPACT_AFTER_MINUTES=0");
    add(
      "a day at 20k spans/s, compacted after 15 min",
      perDayTB(compactedPerSpan) + hourTB(fullPerSpan - compactedPerSpan, 15),
      "TB/day",
      "the default",
    );
    add(
      "a day at 20k spans/s, compacted, by value after 60 min",
      perDayTB(keptPerIngested) + hourTB(fullPerSpan, 15) + hourTB(compactedPerSpan, 45),
      "TB/day",
      "RAW_SPAN_RETENTION_MINUTES=60: the day's kept traces, the last hour whole",
    );

    // The steady state: new spans arrive while older ones are compacted. Half of another set of requests is sent
    // alone, rolled up, then the other half while compaction moves the first half.
    const more = Array.from({ length: REQUESTS }, (_, i) => podBatch(REQUESTS + i).body);
    const half = Math.floor(REQUESTS / 2);
    const alone = await ingestRate(pg.url, more.slice(0, half));
    await aggregateAll(sql);
    await sql`DELETE FROM span_compaction`;
    const policy2 = { afterMinutes: 15, spanRetentionHours: 2 };
    const t2 = performance.now();
    let moved = 0;
    const compacting = (async () => {
      for (let pass = 0; pass < 200; pass++) {
        const c = await compactRawSpans(sql, policy2, Date.now() + 3_600_000, 60_000);
        moved += c.spans;
        if (c.until.getTime() >= Date.now() + 45 * 60_000 - 60_000) break;
      }
      return (performance.now() - t2) / 1000;
    })();
    const beside = await ingestRate(pg.url, more.slice(half));
    const compactSeconds = await compacting;
    add("ingest alone", alone, "spans/s", `${half * SPANS_PER_REQUEST} spans`);
    add("ingest beside compaction", beside, "spans/s", `${(more.length - half) * SPANS_PER_REQUEST} spans`);
    add("  ratio", beside / alone, "x", "same run");
    add("compaction beside ingest", moved / compactSeconds, "spans/s", `${moved} spans moved`);
  } finally {
    await sql.end();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report("storage", "Bytes per stored span (Kubernetes-like resource, 20 span attributes)", rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
