import { createRequire } from "node:module"; const require = createRequire(import.meta.url);
import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { startEmbeddedPostgres } from "./lib/db/embedded";
import { createSql } from "./lib/db/pool";
import { migrate } from "./lib/db/migrate";
import { realisticBatch } from "./test/helpers/workload";
import { post } from "./bench/post";
import { tsEntry, COLLECTOR_NODE_FLAGS } from "./lib/cli/processes";
const dir = mkdtempSync(path.join(tmpdir(), "exp-"));
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: 58126 });
const sql = createSql(pg.url, { max: 2 });
await migrate(sql);
const R = Number(process.env.R ?? 150) * 1;
const batches = Array.from({ length: R }, (_, i) => realisticBatch(i, 1000).body);
const base = process.env.FLAGS ? [...COLLECTOR_NODE_FLAGS, ...process.env.FLAGS.split(" ")] : COLLECTOR_NODE_FLAGS;
const flags = process.env.PROF ? [...COLLECTOR_NODE_FLAGS, "--cpu-prof", "--cpu-prof-dir=/tmp/exp/prof"] : base;
const [bin, ...args] = tsEntry("lib/cli/collector.ts", flags);
const port = 47000;
const proc = spawn(bin!, args, { env: { ...process.env, DATABASE_URL: pg.url, INGEST_HOST: "127.0.0.1", OTLP_HTTP_PORT: String(port), OTLP_GRPC_PORT: "0", ZIPKIN_PORT: "0", XRAY_PORT: "0", DATADOG_PORT: "0", ...(process.env.CENV ? JSON.parse(process.env.CENV) : {}) }, stdio: "inherit" });
for (;;) { try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 100)); }
const url = `http://127.0.0.1:${port}/v1/traces`;
const cpu = () => { const s = require("node:fs").readFileSync(`/proc/${proc.pid}/stat`, "utf8").split(" "); return (Number(s[13]) + Number(s[14])) / 100; };
let next = 0; const t = performance.now(); const c0 = cpu();
await Promise.all(Array.from({ length: Number(process.env.C ?? 8) }, async () => {
  while (next < batches.length) { const st = process.env.FETCH ? (await (async () => { const res = await fetch(url, { method: "POST", body: new Uint8Array(batches[next++]!), headers: { "content-type": "application/x-protobuf" } }); await res.arrayBuffer(); return res.status; })()) : await post(url, batches[next++]!, "application/x-protobuf"); if (st !== 200) throw new Error(String(st)); }
}));
const secs = (performance.now() - t) / 1000;
console.log(`e2e ${Math.round(R * 1000 / secs)} spans/s; collector cpu ${((cpu() - c0) / (R * 1000) * 1e6).toFixed(1)} us/span, ${((cpu() - c0) / secs * 100).toFixed(0)}% of a core`);
proc.kill("SIGTERM"); await new Promise((r) => proc.once("exit", r));
await sql.end(); await pg.stop(); rmSync(dir, { recursive: true, force: true });
