// Runs the demo shop: spawns the instrumented services, the uninstrumented payment gateway, the traffic, and a
// small control endpoint to switch scenarios at run time.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { demoPorts, latencyMs, SCENARIOS, SERVICES, type Scenario } from "./topology";

export interface DemoOptions {
  basePort: number;
  /** Requests per second into the api-gateway. */
  rate: number;
  scenario: Scenario;
  collector: { otlpHttp: number; otlpGrpc: number; zipkin: number };
  log: (m: string) => void;
}

export interface RunningDemo {
  setScenario(s: Scenario): void;
  stop(): Promise<void>;
}

const SERVICE_ENTRY = path.resolve(import.meta.dirname, "service.ts");

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const ports = demoPorts(opts.basePort);
  let scenario: Scenario = opts.scenario;
  let stopping = false;
  const children = new Map<string, ChildProcess>();

  const spawnService = (name: string, version = "1.0.0") => {
    const child = spawn(process.execPath, ["--import", "tsx", SERVICE_ENTRY, name], {
      env: {
        ...process.env,
        DEMO_PORT: String(opts.basePort),
        SERVICE_VERSION: version,
        OTLP_HTTP_PORT: String(opts.collector.otlpHttp),
        OTLP_GRPC_PORT: String(opts.collector.otlpGrpc),
        ZIPKIN_PORT: String(opts.collector.zipkin),
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.once("exit", (code) => {
      if (!stopping && children.get(name) === child) {
        opts.log(`${name} exited (${code}); restarting`);
        setTimeout(() => !stopping && spawnService(name, version), 1000);
      }
    });
    children.set(name, child);
  };

  const setScenario = (next: Scenario) => {
    const was = scenario;
    scenario = next;
    opts.log(`scenario: ${next}`);
    // A deploy is a new process with a new service.version (which is slower).
    if ((next === "deploy-regression") !== (was === "deploy-regression")) {
      const old = children.get("order-service");
      spawnService("order-service", next === "deploy-regression" ? "2.0.0" : "1.0.0");
      old?.kill("SIGTERM");
    }
  };

  const control = createServer((req, res) => {
    const m = /^\/scenario(?:\/([\w-]+))?$/.exec(req.url ?? "");
    if (!m) return void res.writeHead(404).end();
    if (req.method === "POST" && m[1]) {
      if (!(SCENARIOS as readonly string[]).includes(m[1])) {
        return void res
          .writeHead(400, { "content-type": "text/plain" })
          .end(`unknown scenario; use one of ${SCENARIOS.join(", ")}`);
      }
      setScenario(m[1] as Scenario);
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ scenario, scenarios: SCENARIOS }));
  });
  // The third-party payment API: not instrumented, so only the caller's client span shows it.
  const gateway = createServer((req, res) => {
    req.resume();
    const ms = scenario === "payment-slow" ? latencyMs(900) : latencyMs(120);
    // A low background error rate, as real payment APIs have.
    const declined = Math.random() < 0.01;
    setTimeout(
      () =>
        res
          .writeHead(declined ? 502 : 200, { "content-type": "application/json" })
          .end(declined ? '{"error":"upstream"}' : '{"status":"captured"}'),
      ms,
    );
  });
  await Promise.all([listen(control, ports.control), listen(gateway, ports.paymentGateway)]);
  for (const s of SERVICES) spawnService(s.name);

  // Steady traffic with jitter; traffic-spike multiplies it by five.
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    if (stopping) return;
    const rate = opts.rate * (scenario === "traffic-spike" ? 5 : 1);
    const r = Math.random();
    const route = r < 0.45 ? "/checkout" : r < 0.85 ? "/browse" : "/profile";
    fetch(`http://127.0.0.1:${ports.services["api-gateway"]}${route}`)
      .then((res) => res.arrayBuffer())
      .catch(() => undefined);
    timer = setTimeout(tick, (1000 / rate) * (0.5 + Math.random()));
  };
  await waitForPorts(Object.values(ports.services), 60_000);
  tick();

  return {
    setScenario,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const exits = [...children.values()].map(
        (c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r))),
      );
      for (const c of children.values()) c.kill("SIGTERM");
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000))]);
      control.close();
      gateway.close();
    },
  };
}

/** Resolves once every port accepts connections (the services take a moment to boot). */
async function waitForPorts(list: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of list) {
    while (!(await canConnect(port))) {
      if (Date.now() > deadline) throw new Error(`demo service on port ${port} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}
