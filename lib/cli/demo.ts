import { loadConfig } from "../config";
import { startDemo } from "../demo/controller";
import { SCENARIOS, type Scenario } from "../demo/topology";
import { log, onShutdown, runMain } from "./bootstrap";

// npm run demo -- [--scenario payment-slow] [--rate 5]   (switch later: curl -X POST localhost:8089/scenario/<name>)
runMain("demo", async () => {
  const config = loadConfig();
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const scenario = (arg("--scenario") ?? process.env.DEMO_SCENARIO ?? "none") as Scenario;
  if (!(SCENARIOS as readonly string[]).includes(scenario))
    throw new Error(`unknown scenario ${scenario}; use one of ${SCENARIOS.join(", ")}`);
  const rate = Number(arg("--rate") ?? process.env.DEMO_RATE ?? 5);
  const basePort = Number(process.env.DEMO_PORT ?? 8089);
  const demo = await startDemo({
    basePort,
    rate,
    scenario,
    log: log("demo"),
    collector: { otlpHttp: config.OTLP_HTTP_PORT, otlpGrpc: config.OTLP_GRPC_PORT, zipkin: config.ZIPKIN_PORT },
  });
  log("demo")(
    `shop running at ${rate} req/s; scenarios: POST http://localhost:${basePort}/scenario/<${SCENARIOS.join("|")}>`,
  );
  onShutdown("demo", () => demo.stop());
});
