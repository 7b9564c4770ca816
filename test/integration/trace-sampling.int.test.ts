import { expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { useCollectorDatabase } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { loadGraph } from "../../lib/query/graph";

// The demo's mismatch: payment-service exports Zipkin (no tracestate) inside traces api-gateway sampled at 50%
// (ot=th:8). Sampling is decided per trace, so its spans count twice like the rest of the trace.
const ctx = useCollectorDatabase();
const hex = (n: number) => randomBytes(n).toString("hex");
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

it("gives Zipkin spans in a th-sampled trace the trace's adjusted count", async () => {
  const now = Date.now() - 5000;
  const ns = (ms: number) => String(BigInt(now + ms) * 1_000_000n);
  for (let i = 0; i < 10; i++) {
    const traceId = hex(16);
    const [root, call, zipServer, zipCall] = [hex(8), hex(8), hex(8), hex(8)];
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [str("service.name", "mix-orders")] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: root,
                  name: "POST /orders",
                  kind: 2,
                  traceState: "ot=th:8",
                  startTimeUnixNano: ns(0),
                  endTimeUnixNano: ns(50),
                },
                {
                  traceId,
                  spanId: call,
                  parentSpanId: root,
                  name: "POST /pay",
                  kind: 3,
                  traceState: "ot=th:8",
                  startTimeUnixNano: ns(1),
                  endTimeUnixNano: ns(40),
                },
              ],
            },
          ],
        },
      ],
    };
    const zipkin = [
      {
        traceId,
        id: zipServer,
        parentId: call,
        name: "post /pay",
        kind: "SERVER",
        timestamp: (now + 2) * 1000,
        duration: 36_000,
        localEndpoint: { serviceName: "mix-payments" },
      },
      {
        traceId,
        id: zipCall,
        parentId: zipServer,
        name: "post /charges",
        kind: "CLIENT",
        timestamp: (now + 3) * 1000,
        duration: 30_000,
        localEndpoint: { serviceName: "mix-payments" },
        remoteEndpoint: { serviceName: "mix-gateway" },
      },
    ];
    const [a, b] = await Promise.all([
      fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(otlp),
      }),
      fetch(`http://127.0.0.1:${ctx.collector.ports.zipkin}/api/v2/spans`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(zipkin),
      }),
    ]);
    expect([a.status, b.status]).toEqual([200, 202]);
  }
  await aggregateAll(ctx.db.sql);
  const graph = await loadGraph(ctx.db.sql, new Date(Date.now() - 600_000), new Date(Date.now() + 60_000));
  const requests = Object.fromEntries(graph.edges.map((e) => [`${e.source}->${e.target}`, e.requests]));
  expect(requests).toEqual({ "user->mix-orders": 20, "mix-orders->mix-payments": 20, "mix-payments->mix-gateway": 20 });
  expect(graph.nodes.find((n) => n.id === "mix-payments")!.requests).toBe(20);
});
