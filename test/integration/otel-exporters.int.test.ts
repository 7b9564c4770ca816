import { describe, expect, it } from "vitest";
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { useCollectorDatabase } from "../helpers/collector";
import { findTraceSpans } from "../../lib/db/span-reads";

const ctx = useCollectorDatabase();

interface Case {
  name: string;
  exporter: () => SpanExporter;
  /** Zipkin carries microseconds and string tags only. */
  zipkin: boolean;
}

const cases: Case[] = [
  {
    name: "otlp-proto",
    zipkin: false,
    exporter: () => new ProtoExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` }),
  },
  {
    name: "otlp-json",
    zipkin: false,
    exporter: () => new JsonExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` }),
  },
  {
    name: "otlp-grpc",
    zipkin: false,
    exporter: () => new GrpcExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpGrpc}` }),
  },
  {
    name: "zipkin",
    zipkin: true,
    exporter: () => new ZipkinExporter({ url: `http://127.0.0.1:${ctx.collector.ports.zipkin}/api/v2/spans` }),
  },
];

// A fixed recent instant with sub-microsecond digits, to see nanoseconds survive.
const baseSec = Math.floor(Date.now() / 1000) - 60;
const startNs = (offsetNs: number) => BigInt(baseSec) * 1_000_000_000n + BigInt(offsetNs);
const hr = (offsetNs: number): [number, number] => [baseSec + Math.floor(offsetNs / 1e9), offsetNs % 1e9];

describe.each(cases)("spans sent with the OpenTelemetry JS SDK via $name", (c) => {
  it("are stored with ids, parents, kinds, timings, status and attributes intact", async () => {
    const service = `checkout-${c.name}`;
    const exporter = c.exporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        "service.name": service,
        "service.version": "1.4.2",
        "deployment.environment": "test",
      }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("tracemap-test", "0.0.1");

    const root: Span = tracer.startSpan("GET /checkout", {
      kind: SpanKind.SERVER,
      startTime: hr(123_456_789),
      attributes: {
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "retry.ratio": 0.25,
        cached: false,
        "tags.list": ["a", "b"],
      },
    });
    const rootCtx = trace.setSpan(context.active(), root);
    const child = tracer.startSpan(
      "POST payment",
      {
        kind: SpanKind.CLIENT,
        startTime: hr(200_000_001),
        attributes: { "peer.service": "payment-gateway", "server.port": 443 },
      },
      rootCtx,
    );
    child.addEvent("retrying", { attempt: 2 }, hr(250_000_000));
    child.setStatus({ code: SpanStatusCode.ERROR, message: "gateway timeout" });
    child.end(hr(1_100_000_001));
    const worker = tracer.startSpan(
      "render",
      {
        kind: SpanKind.INTERNAL,
        startTime: hr(1_150_000_000),
        links: [{ context: child.spanContext(), attributes: { reason: "follows" } }],
      },
      rootCtx,
    );
    worker.end(hr(1_180_000_000));
    root.end(hr(1_223_456_789));
    await provider.forceFlush();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    const spans = await findTraceSpans(ctx.db.sql, traceId);
    expect(spans.map((s) => s.name)).toEqual(["GET /checkout", "POST payment", "render"]);
    const [r, cl, w] = spans as [(typeof spans)[0], (typeof spans)[0], (typeof spans)[0]];

    expect(r.spanId).toBe(root.spanContext().spanId);
    expect(r.parentSpanId).toBeNull();
    expect(cl.spanId).toBe(child.spanContext().spanId);
    expect(cl.parentSpanId).toBe(r.spanId);
    expect(w.parentSpanId).toBe(r.spanId);
    for (const s of spans) expect(s.serviceName).toBe(service);

    expect(r.kind).toBe(2);
    expect(cl.kind).toBe(3);
    expect(w.kind).toBe(1);

    const precision = c.zipkin ? 1000n : 1n; // Zipkin timestamps are microseconds
    const trunc = (v: bigint) => (v / precision) * precision;
    expect(r.startNs).toBe(trunc(startNs(123_456_789)));
    expect(cl.startNs).toBe(trunc(startNs(200_000_001)));
    expect(r.durationNs).toBe(trunc(1_100_000_000n));
    expect(cl.durationNs).toBe(trunc(900_000_000n));

    expect(cl.statusCode).toBe(2);
    expect(cl.statusMessage).toBe("gateway timeout");
    expect(r.statusCode).toBe(0);

    if (c.zipkin) {
      expect(r.attributes).toMatchObject({
        "http.request.method": "GET",
        "http.response.status_code": "200",
        "retry.ratio": "0.25",
        cached: "false",
      });
      expect(cl.attributes).toMatchObject({ "peer.service": "payment-gateway", "server.port": "443" });
      expect(cl.events.map((e) => e.name)).toEqual([expect.stringContaining("retrying")]);
      expect(BigInt(cl.events[0]!.timeUnixNano)).toBe(trunc(startNs(250_000_000)));
      expect(r.attributes["service.version"]).toBe("1.4.2");
    } else {
      expect(r.attributes).toEqual({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "retry.ratio": 0.25,
        cached: false,
        "tags.list": ["a", "b"],
      });
      expect(cl.attributes).toEqual({ "peer.service": "payment-gateway", "server.port": 443 });
      expect(cl.events).toEqual([
        { timeUnixNano: startNs(250_000_000).toString(), name: "retrying", attributes: { attempt: 2 } },
      ]);
      expect(w.links).toEqual([{ traceId, spanId: cl.spanId, attributes: { reason: "follows" } }]);
      expect(r.resourceAttributes).toMatchObject({
        "service.name": service,
        "service.version": "1.4.2",
        "deployment.environment": "test",
      });
    }
  });
});
