import { randomBytes } from "node:crypto";

// OTLP/JSON for the same services deployed in several environments: one resource per (service, environment).
const hex = (n: number) => randomBytes(n).toString("hex");
const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

export interface EnvCall {
  /** Caller and callee service and the environment each reports (deployment.environment.name). */
  from: { service: string; env: string };
  to: { service: string; env: string };
  count: number;
  /** The callee's server span's duration, ms (the client's is 2 ms longer). */
  ms: number;
  startMs: number;
}

export function envTracesJson(calls: EnvCall[]): string {
  const byResource = new Map<string, { service: string; env: string; spans: unknown[] }>();
  const add = (service: string, env: string, span: unknown) => {
    const key = `${service}\u0000${env}`;
    let r = byResource.get(key);
    if (!r) byResource.set(key, (r = { service, env, spans: [] }));
    r.spans.push(span);
  };
  for (const c of calls)
    for (let i = 0; i < c.count; i++) {
      const traceId = hex(16);
      const root = hex(8);
      const client = hex(8);
      const start = c.startMs + i * 10;
      add(c.from.service, c.from.env, {
        traceId,
        spanId: root,
        name: "GET /",
        kind: 2,
        startTimeUnixNano: ns(start),
        endTimeUnixNano: ns(start + c.ms + 4),
      });
      add(c.from.service, c.from.env, {
        traceId,
        spanId: client,
        parentSpanId: root,
        name: `call ${c.to.service}`,
        kind: 3,
        startTimeUnixNano: ns(start + 1),
        endTimeUnixNano: ns(start + 1 + c.ms + 2),
      });
      add(c.to.service, c.to.env, {
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
        ],
      },
      scopeSpans: [{ spans: r.spans }],
    })),
  });
}
