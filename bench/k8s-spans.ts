// Spans as Kubernetes SDKs send them, for the storage bench: a pod's resource of ~28 attributes shared by every span it
// sends, 20 span attributes per span, traces of one server span and nine database calls.
import { context, SpanKind, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

export const SPANS_PER_REQUEST = 1000;
const SERVICES = ["api-gateway", "orders", "payments", "inventory", "catalog", "search", "users", "notify"];

/** The resource a Kubernetes pod's OpenTelemetry SDK reports: ~25 attributes, the same on every span it sends. */
function podResource(service: string, pod: number): Record<string, string | number> {
  return {
    "service.name": service,
    "service.namespace": "shop",
    "service.version": "1.24.3",
    "service.instance.id": `${service}-7d9f8b6c4-${pod}x2kq`,
    "deployment.environment.name": "production",
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.version": "1.30.1",
    "telemetry.distro.name": "opentelemetry-js-contrib",
    "process.pid": 1,
    "process.executable.name": "node",
    "process.executable.path": "/usr/local/bin/node",
    "process.command": "/app/dist/server.js",
    "process.command_args": "node --enable-source-maps /app/dist/server.js",
    "process.runtime.name": "nodejs",
    "process.runtime.version": "20.20.2",
    "process.runtime.description": "Node.js",
    "process.owner": "node",
    "host.name": `${service}-7d9f8b6c4-${pod}x2kq`,
    "host.arch": "amd64",
    "os.type": "linux",
    "k8s.namespace.name": "shop-prod",
    "k8s.pod.name": `${service}-7d9f8b6c4-${pod}x2kq`,
    "k8s.pod.uid": `0f6e${pod}a1c-9b2d-4e8f-a7c3-5d1e2f3a4b5c`,
    "k8s.deployment.name": service,
    "k8s.node.name": `ip-10-0-${pod}-17.eu-west-1.compute.internal`,
    "cloud.provider": "aws",
    "cloud.region": "eu-west-1",
  };
}

/** 20 span attributes as instrumentations set them (HTTP, URL, network, database). */
function spanAttributes(i: number, server: boolean): Record<string, string | number | boolean> {
  return server
    ? {
        "http.request.method": "GET",
        "http.route": "/api/orders/{id}",
        "http.response.status_code": 200,
        "url.path": `/api/orders/${100000 + i}`,
        "url.scheme": "https",
        "url.query": `expand=items&page=${i % 10}`,
        "server.address": "shop.example.com",
        "server.port": 443,
        "client.address": `10.1.${i % 250}.${(i * 7) % 250}`,
        "network.protocol.version": "1.1",
        "network.peer.address": `10.1.${i % 250}.${(i * 7) % 250}`,
        "network.peer.port": 40000 + (i % 20000),
        "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
        "http.request.body.size": 0,
        "http.response.body.size": 1800 + (i % 400),
        "enduser.id": `user-${i % 5000}`,
        "app.order.id": 100000 + i,
        "app.tenant": `tenant-${i % 40}`,
        "app.cache.hit": i % 3 === 0,
        "thread.name": "main",
      }
    : {
        "db.system.name": "postgresql",
        "db.namespace": "orders",
        "db.operation.name": "SELECT",
        "db.collection.name": "order_items",
        "db.query.text": "SELECT id, sku, qty, price FROM order_items WHERE order_id = $1 ORDER BY id",
        "db.response.returned_rows": i % 12,
        "server.address": "orders-db.shop-prod.svc.cluster.local",
        "server.port": 5432,
        "network.peer.address": "10.2.0.15",
        "network.peer.port": 5432,
        "network.transport": "tcp",
        "db.client.connection.pool.name": "orders-pool",
        "db.client.connection.state": "used",
        "code.function.name": "OrderRepository.items",
        "code.file.path": "/app/dist/orders/repository.js",
        "code.line.number": 118,
        "app.order.id": 100000 + i,
        "app.tenant": `tenant-${i % 40}`,
        "app.retry": false,
        "thread.name": "main",
      };
}

/** One OTLP protobuf request of SPANS_PER_REQUEST spans from one pod, and the trace ids in it. */
export function podBatch(seed: number): { body: Buffer; traceIds: string[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(podResource(SERVICES[seed % SERVICES.length]!, seed % 3)),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("@opentelemetry/instrumentation-http", "0.57.0");
  const out: ReadableSpan[] = [];
  let i = seed * SPANS_PER_REQUEST;
  while (out.length < SPANS_PER_REQUEST) {
    const root = tracer.startSpan("GET /api/orders/{id}", {
      kind: SpanKind.SERVER,
      attributes: spanAttributes(i, true),
    });
    const ctx = trace.setSpan(context.active(), root);
    for (let k = 0; k < 9; k++)
      tracer
        .startSpan(
          "SELECT orders.order_items",
          { kind: SpanKind.CLIENT, attributes: spanAttributes(i + k, false) },
          ctx,
        )
        .end();
    root.end();
    out.push(...exporter.getFinishedSpans());
    exporter.reset();
    i += 10;
  }
  const kept = out.slice(0, SPANS_PER_REQUEST);
  return {
    body: Buffer.from(ProtobufTraceSerializer.serializeRequest(kept)!),
    traceIds: [...new Set(kept.map((s) => s.spanContext().traceId))],
  };
}
