import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "./lib/db/embedded";
import { createSql } from "./lib/db/pool";
import { migrate } from "./lib/db/migrate";
import { decodeExportTraceRequest } from "./lib/ingest/otlp-proto";
import { normalize, defaultLimits } from "./lib/ingest/normalize";
import { SpanStore } from "./lib/db/span-store";
import { aggregateOnce, processShards } from "./lib/aggregator/aggregate";
import { recordEpoch } from "./lib/db/epochs";
import { realisticBatch } from "./test/helpers/workload";
const dir = mkdtempSync(path.join(tmpdir(), "exp-"));
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: 58000 + Math.floor(Math.random() * 900), log: (m) => { if (/duration/.test(m) && !/INSERT INTO spans/.test(m)) console.log(m.replace(/\s+/g, " ").slice(0, 260)); } });
const sql = createSql(pg.url, { max: 8 });
await migrate(sql);
const store = new SpanStore(sql);
const N = Number(process.env.N ?? 320);
for (let i = 0; i < N; i++) await store.insert(normalize(decodeExportTraceRequest(realisticBatch(i, 1000).body), defaultLimits).spans);
await recordEpoch(sql, 0);
for (let k = 1; k < 3; k++) {
  await sql.unsafe(`INSERT INTO spans (trace_id, span_id, parent_span_id, trace_state, service_name, name, kind, start_time, start_ns, duration_ns,
         status_code, status_message, attributes, resource_attributes, scope_name, scope_version, events, links)
       SELECT decode(md5(encode(trace_id, 'hex') || $1), 'hex'), span_id, parent_span_id, trace_state, service_name, name, kind,
         start_time, start_ns, duration_ns, status_code, status_message, attributes, resource_attributes, scope_name, scope_version, events, links
       FROM spans WHERE ingest_xid < (SELECT min(xid_bound) FROM ingest_epochs)`, [`copy-${k}`]);
  await recordEpoch(sql, 0);
}
await sql.unsafe(`ALTER SYSTEM SET log_min_duration_statement = 400`);
await sql.unsafe(`SELECT pg_reload_conf()`);
let t = performance.now();
await aggregateOnce(sql, { waitMs: 0, epochIntervalMs: 0 });
console.log("single s", (performance.now() - t) / 1000);
await sql`TRUNCATE edge_minutes, edge_hours, service_minutes, service_hours, quality_minutes, quality_hours, edge_examples, example_spans, edge_counters`;
await sql`DELETE FROM aggregator_shards`;
await sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at) VALUES (0, 2, 0, now()), (1, 2, 0, now())`;
t = performance.now();
await Promise.all([processShards(sql, [0], 0, null), processShards(sql, [1], 0, null)]);
console.log("two shards s", (performance.now() - t) / 1000);
await sql.end(); await pg.stop(); rmSync(dir, { recursive: true, force: true });
