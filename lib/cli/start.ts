import { boot, log, onShutdown, runMain } from "./bootstrap";
import { ensureWebBuild, nextCommand, supervise, tsEntry, COLLECTOR_NODE_FLAGS, heapFlags } from "./processes";

// The whole product: database (embedded unless DATABASE_URL) -> migrations -> collector, aggregator, web.
runMain("start", async () => {
  const say = log("start");
  const { config, database, sql } = await boot("start", () => 1);
  await sql.end();
  ensureWebBuild(say);

  const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1" };
  const parts = [
    supervise("collector", tsEntry("lib/cli/collector.ts", COLLECTOR_NODE_FLAGS), env, say),
    supervise("aggregator", tsEntry("lib/cli/aggregator.ts", heapFlags(config.AGGREGATOR_MAX_HEAP_MB)), env, say),
    supervise("web", nextCommand(heapFlags(config.WEB_MAX_HEAP_MB), "start", "-p", String(config.WEB_PORT)), env, say),
  ];
  // `npm start -- --demo` or DEMO=1: the instrumented demo shop sends traffic to this collector.
  if (process.argv.includes("--demo") || process.env.DEMO === "1")
    parts.push(supervise("demo", tsEntry("lib/cli/demo.ts"), env, say));
  say(
    `Tracemap is starting: dashboard http://localhost:${config.WEB_PORT}, OTLP http :${config.OTLP_HTTP_PORT}, gRPC :${config.OTLP_GRPC_PORT}, Zipkin :${config.ZIPKIN_PORT}, X-Ray udp :${config.XRAY_PORT}, Datadog :${config.DATADOG_PORT}`,
  );
  onShutdown("start", async () => {
    // Collector first flushes what it acknowledged; the database stops last.
    await Promise.all(parts.map((p) => p.stop()));
    say("collector, aggregator and web stopped; stopping the database");
    await database.stop();
    say("database stopped");
  });
});
