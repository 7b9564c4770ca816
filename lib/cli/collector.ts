import { startCollector } from "../ingest/collector";
import { boot, log, onShutdown, runMain } from "./bootstrap";

runMain("collector", async () => {
  const { config, database, sql } = await boot("collector", (c) => c.WRITE_CONCURRENCY + 2); // one connection per concurrent COPY, plus partition DDL
  const collector = await startCollector(config, sql, log("collector"));
  const { otlpHttp, otlpGrpc, zipkin, xray, datadog } = collector.ports;
  log("collector")(`listening: OTLP/HTTP :${otlpHttp}, OTLP/gRPC :${otlpGrpc}, Zipkin :${zipkin}, X-Ray udp :${xray}, Datadog :${datadog}`);
  onShutdown("collector", async () => {
    await collector.close(); // flushes accepted spans before the pool closes
    await sql.end({ timeout: 5 });
    await database.stop();
  });
});
