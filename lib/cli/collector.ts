import cluster, { type Worker } from "node:cluster";
import { loadConfig } from "../config";
import { startCollector } from "../ingest/collector";
import { boot, log, onShutdown, runMain } from "./bootstrap";

// With COLLECTOR_PROCESSES > 1 the receivers run in that many worker processes sharing the listening sockets
// (node:cluster): decoding is CPU-bound and one process uses one core. The primary only provides the database
// (embedded unless DATABASE_URL), restarts a worker that dies and stops them all on SIGINT/SIGTERM.
const say = log("collector");

if (cluster.isPrimary && loadConfig().COLLECTOR_PROCESSES > 1) runMain("collector", primary);
else runMain("collector", worker);

async function worker(): Promise<void> {
  const { config, database, sql } = await boot("collector", (c) => c.WRITE_CONCURRENCY + 2); // one connection per concurrent COPY, plus partition DDL
  const collector = await startCollector(config, sql, say);
  const { otlpHttp, otlpGrpc, zipkin, xray, datadog } = collector.ports;
  say(
    `listening: OTLP/HTTP :${otlpHttp}, OTLP/gRPC :${otlpGrpc}, Zipkin :${zipkin}, X-Ray udp :${xray}, Datadog :${datadog}${cluster.isWorker ? ` (worker ${cluster.worker!.id})` : ""}`,
  );
  onShutdown("collector", async () => {
    await collector.close(); // flushes accepted spans before the pool closes
    await sql.end({ timeout: 5 });
    await database.stop();
  });
  if (cluster.isWorker) {
    process.send!(READY);
    // A worker is stopped by its primary; a lost primary must not leave it running alone.
    process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
  }
}

const READY = "tracemap:collector-ready";

async function primary(): Promise<void> {
  const { config, database, sql } = await boot("collector", () => 1); // applies migrations once
  await sql.end();
  const env = { DATABASE_URL: database.url };
  let stopping = false;
  let started = 0;
  const fork = (): Worker => {
    const w = cluster.fork(env);
    w.on("message", (m) => {
      if (m === READY) started++;
    });
    w.once("exit", (code, signal) => {
      if (stopping) return;
      // Before every first worker listens, a death is a failed start (a port in use, a bad setting): starting
      // another would fail the same way forever while the primary looks alive, so the collector exits instead.
      if (started < config.COLLECTOR_PROCESSES) {
        say(`worker ${w.id} failed to start (${signal ?? code}); stopping`);
        process.exitCode = 1;
        process.kill(process.pid, "SIGTERM");
        return;
      }
      say(`worker ${w.id} exited (${signal ?? code}); starting another`);
      setTimeout(fork, 1000);
    });
    return w;
  };
  for (let i = 0; i < config.COLLECTOR_PROCESSES; i++) fork();
  onShutdown("collector", async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once("exit", () => resolve());
            w.process.kill("SIGTERM");
          }),
      ),
    );
    await database.stop();
  });
}
