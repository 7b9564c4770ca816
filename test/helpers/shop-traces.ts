import { context, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";

/**
 * A small shop, one SDK provider per service: user -> gateway -> orders -> (postgres "shop", kafka -> notify),
 * gateway -> payment-gateway (uninstrumented). Every `failEvery`-th order fails. Service and peer names get
 * `prefix`. Returns the expected edge counts.
 */
export async function sendShopTraces(
  makeExporter: () => SpanExporter,
  traces: number,
  failEvery = 4,
  prefix = "",
): Promise<Record<string, { requests: number; errors: number }>> {
  const providers = new Map<string, NodeTracerProvider>();
  const tracer = (name: string) => {
    const service = prefix + name;
    let p = providers.get(service);
    if (!p) {
      p = new NodeTracerProvider({
        resource: resourceFromAttributes({ "service.name": service }),
        spanProcessors: [new BatchSpanProcessor(makeExporter())],
      });
      providers.set(service, p);
    }
    return p.getTracer("shop");
  };
  const inSpan = (ctx: Context, s: ReturnType<ReturnType<typeof tracer>["startSpan"]>) => trace.setSpan(ctx, s);

  for (let i = 0; i < traces; i++) {
    const fail = i % failEvery === 0;
    const gw = tracer("gateway").startSpan("POST /checkout", {
      kind: SpanKind.SERVER,
      attributes: { "http.response.status_code": fail ? 500 : 200 },
    });
    const gwCtx = inSpan(context.active(), gw);
    const callOrders = tracer("gateway").startSpan("POST orders", { kind: SpanKind.CLIENT }, gwCtx);
    const orders = tracer("orders").startSpan("POST /orders", { kind: SpanKind.SERVER }, inSpan(gwCtx, callOrders));
    const ordersCtx = inSpan(inSpan(gwCtx, callOrders), orders);
    tracer("orders")
      .startSpan(
        "INSERT orders",
        { kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql", "db.namespace": `${prefix}shop` } },
        ordersCtx,
      )
      .end();
    const produce = tracer("orders").startSpan(
      "orders publish",
      { kind: SpanKind.PRODUCER, attributes: { "messaging.system": "kafka", "messaging.destination.name": "orders" } },
      ordersCtx,
    );
    tracer("notify")
      .startSpan(
        "orders process",
        { kind: SpanKind.CONSUMER, attributes: { "messaging.system": "kafka" } },
        inSpan(ordersCtx, produce),
      )
      .end();
    produce.end();
    if (fail) orders.setStatus({ code: SpanStatusCode.ERROR, message: "out of stock" });
    orders.end();
    callOrders.end();
    tracer("gateway")
      .startSpan(
        "POST charge",
        { kind: SpanKind.CLIENT, attributes: { "peer.service": `${prefix}payment-gateway` } },
        gwCtx,
      )
      .end();
    gw.end();
  }
  for (const p of providers.values()) {
    await p.forceFlush();
    await p.shutdown();
  }
  const failures = Math.ceil(traces / failEvery);
  const p = prefix;
  return {
    [`user->${p}gateway`]: { requests: traces, errors: failures },
    [`${p}gateway->${p}orders`]: { requests: traces, errors: failures },
    [`${p}gateway->${p}payment-gateway`]: { requests: traces, errors: 0 },
    [`${p}orders->${p}shop`]: { requests: traces, errors: 0 },
    [`${p}orders->${p}notify`]: { requests: traces, errors: 0 },
  };
}
