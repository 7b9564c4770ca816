import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

/** Real SDK spans: a server root with `children` client spans, all ended, from service `service`. */
export function sdkSpans(service: string, children = 2): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("payloads");
  const root = tracer.startSpan("GET /", { kind: SpanKind.SERVER, attributes: { "http.response.status_code": 200 } });
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < children; i++) {
    const child = tracer.startSpan(
      `call-${i}`,
      { kind: SpanKind.CLIENT, attributes: { "peer.service": `dep-${i}` } },
      ctx,
    );
    if (i === 1) child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    child.end();
  }
  root.end();
  return exporter.getFinishedSpans();
}

export const protobufRequest = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
export const jsonRequest = (spans: ReadableSpan[]): any =>
  JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString("utf8"));
