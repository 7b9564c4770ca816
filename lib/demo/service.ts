// One instrumented demo service, run as its own process: `node --import tsx lib/demo/service.ts <name>`.
// Real HTTP on loopback, the OpenTelemetry JS SDK with instrumentation-http, W3C context propagation.
import { createRequire } from "node:module";
import type * as Http from "node:http";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapSetter,
} from "@opentelemetry/api";
import { suppressTracing, TraceState, W3CTraceContextPropagator } from "@opentelemetry/core";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  type Sampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { demoPorts, latencyMs, LEGACY_SERVICE, SAMPLED_SERVICE, SERVICES, type Scenario } from "./topology";

const name = process.argv[2]!;
const me = SERVICES.find((s) => s.name === name);
if (!me) throw new Error(`unknown demo service ${name}`);
const ports = demoPorts(Number(process.env.DEMO_PORT ?? 8089));
const version = process.env.SERVICE_VERSION ?? "1.0.0";
const collector = {
  http: `http://127.0.0.1:${process.env.OTLP_HTTP_PORT ?? 4318}/v1/traces`,
  grpc: `http://127.0.0.1:${process.env.OTLP_GRPC_PORT ?? 4317}`,
  zipkin: `http://127.0.0.1:${process.env.ZIPKIN_PORT ?? 9411}/api/v2/spans`,
};

function exporter(): SpanExporter {
  switch (me!.exporter) {
    case "otlp-proto":
      return new ProtoExporter({ url: collector.http });
    case "otlp-json":
      return new JsonExporter({ url: collector.http });
    case "otlp-grpc":
      return new GrpcExporter({ url: collector.grpc });
    case "zipkin":
      return new ZipkinExporter({ url: collector.zipkin });
  }
}

/** Keeps every other trace by trace id and records the threshold in tracestate (ot=th:8 = probability 1/2). */
const halfSampler: Sampler = {
  shouldSample: (ctx, traceId) => {
    const keep = Number.parseInt(traceId.slice(-2), 16) < 128;
    const parentState = trace.getSpanContext(ctx)?.traceState;
    const state = parentState ?? new TraceState();
    return keep
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: state.set("ot", "th:8") }
      : { decision: SamplingDecision.NOT_RECORD };
  },
  toString: () => "HalfSampler",
};

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    "service.name": name,
    "service.version": version,
    "service.namespace": "shop",
    "deployment.environment": "demo",
  }),
  sampler: name === SAMPLED_SERVICE ? new ParentBasedSampler({ root: halfSampler }) : undefined,
  spanProcessors: [new BatchSpanProcessor(exporter(), { scheduledDelayMillis: 500 })],
});
/** Reads incoming context like everyone else but never writes it: the legacy service's callees see no traceparent. */
class DroppingPropagator extends W3CTraceContextPropagator {
  override inject(_context: Context, _carrier: unknown, _setter: TextMapSetter): void {}
}
provider.register({ propagator: name === LEGACY_SERVICE ? new DroppingPropagator() : new W3CTraceContextPropagator() });
const peerOf = new Map<number, string>([
  ...Object.entries(ports.services).map(([n, p]) => [p, n] as const),
  [ports.paymentGateway, "payment-gateway"],
]);
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new HttpInstrumentation({
      // Name the peer of every outgoing call, as service meshes and SDK config usually do.
      startOutgoingSpanHook: (req) => {
        const port = Number((req as { port?: number | string }).port);
        const peer = peerOf.get(port);
        return peer ? { "peer.service": peer } : {};
      },
      ignoreIncomingRequestHook: (req) => req.url === "/consume-internal",
    }),
  ],
});
// Required after the instrumentation is registered, so this is the patched module.
const http = createRequire(import.meta.url)("node:http") as typeof Http;
const tracer = trace.getTracer("demo-shop", version);

let scenario: Scenario = "none";
setInterval(() => {
  context.with(suppressTracing(context.active()), () => {
    http
      .get(`http://127.0.0.1:${ports.control}/scenario`, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          try {
            scenario = JSON.parse(body).scenario;
          } catch {
            /* the controller is restarting */
          }
        });
      })
      .on("error", () => undefined);
  });
}, 1000).unref();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function call(target: string, path: string, body?: unknown): Promise<number> {
  const port = target === "payment-gateway" ? ports.paymentGateway : ports.services[target]!;
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: body ? "POST" : "GET", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(599));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** A client span for a call that has no instrumented server: a database, a cache. */
async function dependency(spanName: string, attributes: Record<string, string | number>, ms: number): Promise<void> {
  const span = tracer.startSpan(spanName, { kind: SpanKind.CLIENT, attributes });
  await sleep(ms);
  span.end();
}

/** Publishes to the notifications queue: a PRODUCER span whose context travels in the message. */
async function publish(event: unknown): Promise<void> {
  const span = tracer.startSpan("notifications publish", {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "rabbitmq",
      "messaging.destination.name": "notifications",
      "messaging.operation.type": "publish",
    },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  span.end();
  // The broker hop itself is not traced (as with most client libraries): only the message carries the context.
  context.with(
    suppressTracing(context.active()),
    () => void call("notification-service", "/consume-internal", { headers, event }),
  );
}

async function consume(message: { headers: Record<string, string>; event: unknown }): Promise<void> {
  // From the root context: the ignored delivery request runs with tracing suppressed.
  const parent = propagation.extract(ROOT_CONTEXT, message.headers);
  const span = tracer.startSpan(
    "notifications process",
    {
      kind: SpanKind.CONSUMER,
      attributes: { "messaging.system": "rabbitmq", "messaging.destination.name": "notifications" },
    },
    parent,
  );
  await sleep(latencyMs(me!.workMs));
  span.end();
}

type Handler = (path: string) => Promise<number>;
const extraLatency = () => (name === "order-service" && version !== "1.0.0" ? 150 : 0);

const routes: Record<string, Handler> = {
  "api-gateway": async (path) => {
    if (path.startsWith("/checkout")) {
      await call("user-service", "/users/me");
      return call("order-service", "/orders", { items: 2 });
    }
    if (path.startsWith("/browse")) {
      await Promise.all([call("catalog-service", "/products"), call("search-service", "/search?q=shoes")]);
      return 200;
    }
    return call("user-service", "/users/me");
  },
  "order-service": async () => {
    await sleep(extraLatency());
    const stock = await call("inventory-service", "/reserve", {});
    if (stock >= 500) return 502;
    const paid = await call("payment-service", "/charge", {});
    if (paid >= 500) return 502;
    await publish({ type: "order-created" });
    return 201;
  },
  "inventory-service": async () => {
    if (scenario === "inventory-errors" && Math.random() < 0.4) return 500;
    await dependency(
      "SELECT stock",
      {
        "db.system": "postgresql",
        "db.namespace": "inventory",
        "db.operation.name": "SELECT",
        "server.address": "inventory-db",
        "server.port": 5432,
      },
      latencyMs(4),
    );
    await dependency(
      "UPDATE stock",
      {
        "db.system": "postgresql",
        "db.namespace": "inventory",
        "db.operation.name": "UPDATE",
        "server.address": "inventory-db",
        "server.port": 5432,
      },
      latencyMs(3),
    );
    return 200;
  },
  "payment-service": async () => {
    const status = await call("payment-gateway", "/v1/charges", { amount: 42 });
    return status >= 500 ? 502 : 200;
  },
  "notification-service": async () => 200,
  "catalog-service": async () => {
    await dependency(
      "GET product:*",
      { "db.system": "redis", "server.address": "cache", "server.port": 6379 },
      latencyMs(1),
    );
    return 200;
  },
  "search-service": async () => {
    await call("recommendation-service", "/recommendations");
    return 200;
  },
  "recommendation-service": async () => call("catalog-service", "/products?ids=1,2,3"),
  "user-service": async () => {
    await dependency(
      "SELECT users",
      { "db.system": "postgresql", "db.namespace": "users", "server.address": "users-db", "server.port": 5432 },
      latencyMs(2),
    );
    return 200;
  },
};

const server = http.createServer((req, res) => {
  const path = req.url ?? "/";
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (path === "/consume-internal") {
      res.writeHead(202).end();
      void consume(JSON.parse(body));
      return;
    }
    const span: Span | undefined = trace.getActiveSpan();
    void (async () => {
      await sleep(latencyMs(me!.workMs));
      const status = await routes[name]!(path);
      if (status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ service: name, status }));
    })();
  });
});
server.listen(ports.services[name], "127.0.0.1");

const shutdown = async () => {
  server.close();
  await provider.shutdown().catch(() => undefined);
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
