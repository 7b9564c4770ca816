import { randomBytes } from "node:crypto";

// OTLP/JSON for the same services deployed in several environments: one resource per (service, environment).
const hex = (n: number) => randomBytes(n).toString("hex");
const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** A service in an environment, optionally in a k8s cluster (k8s.cluster.name, for dimension tests). */
interface Side {
  service: string;
  env: string;
  cluster?: string;
}

export interface EnvCall {
  /** Caller and callee service and the environment each reports (deployment.environment.name). */
  from: Side;
  to: Side;
  count: number;
  /** The callee's server span's duration, ms (the client's is 2 ms longer). */
  ms: number;
  startMs: number;
}

export function envTracesJson(calls: EnvCall[]): string {
  const byResource = new Map<string, Side & { spans: unknown[] }>();
  const add = (side: Side, span: unknown) => {
    const key = `${side.service}\u0000${side.env}\u0000${side.cluster ?? ""}`;
    let r = byResource.get(key);
    if (!r) byResource.set(key, (r = { ...side, spans: [] }));
    r.spans.push(span);
  };
  for (const c of calls)
    for (let i = 0; i < c.count; i++) {
      const traceId = hex(16);
      const root = hex(8);
      const client = hex(8);
      const start = c.startMs + i * 10;
      add(c.from, {
        traceId,
        spanId: root,
        name: "GET /",
        kind: 2,
        startTimeUnixNano: ns(start),
        endTimeUnixNano: ns(start + c.ms + 4),
      });
      add(c.from, {
        traceId,
        spanId: client,
        parentSpanId: root,
        name: `call ${c.to.service}`,
        kind: 3,
        startTimeUnixNano: ns(start + 1),
        endTimeUnixNano: ns(start + 1 + c.ms + 2),
      });
      add(c.to, {
        traceId,
        spanId: hex(8),
        parentSpanId: client,
        name: "GET /items",
        kind: 2,
        startTimeUnixNano: ns(start + 2),
        endTimeUnixNano: ns(start + 2 + c.ms),
      });
    }
  return JSON.stringify({
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: r.service } },
          ...(r.env ? [{ key: "deployment.environment.name", value: { stringValue: r.env } }] : []),
          ...(r.cluster ? [{ key: "k8s.cluster.name", value: { stringValue: r.cluster } }] : []),
        ],
      },
      scopeSpans: [{ spans: r.spans }],
    })),
  });
}
