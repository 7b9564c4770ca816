import { randomBytes } from "node:crypto";

export interface SeedCall {
  /** Called service; with `virtual` a peer.service name of an uninstrumented dependency. */
  target: string;
  durationMs: number;
  virtual?: boolean;
  error?: boolean;
}

export interface SeedTrace {
  service: string;
  startMs: number;
  durationMs: number;
  calls: SeedCall[];
}

const hex = (n: number) => randomBytes(n).toString("hex");
const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** OTLP/JSON for traces with exact start times and durations: user -> service -> each call. */
export function otlpJsonTraces(
  traces: SeedTrace[],
  namespaces: Record<string, string> = {},
  versions: Record<string, string> = {},
): unknown {
  const byService = new Map<string, unknown[]>();
  const add = (service: string, span: unknown) => {
    const list = byService.get(service);
    if (list) list.push(span);
    else byService.set(service, [span]);
  };
  for (const t of traces) {
    const traceId = hex(16);
    const rootId = hex(8);
    add(t.service, {
      traceId,
      spanId: rootId,
      name: `GET /${t.service}`,
      kind: 2,
      startTimeUnixNano: ns(t.startMs),
      endTimeUnixNano: ns(t.startMs + t.durationMs),
    });
    let offset = 1;
    for (const c of t.calls) {
      const clientId = hex(8);
      const start = t.startMs + offset;
      add(t.service, {
        traceId,
        spanId: clientId,
        parentSpanId: rootId,
        name: `call ${c.target}`,
        kind: 3,
        startTimeUnixNano: ns(start),
        endTimeUnixNano: ns(start + c.durationMs),
        attributes: c.virtual ? [str("peer.service", c.target)] : [],
        status: c.error ? { code: 2, message: "failed" } : {},
      });
      if (!c.virtual) {
        add(c.target, {
          traceId,
          spanId: hex(8),
          parentSpanId: clientId,
          name: `serve ${c.target}`,
          kind: 2,
          startTimeUnixNano: ns(start + 0.2),
          endTimeUnixNano: ns(start + c.durationMs - 0.2),
        });
      }
      offset += 0.5;
    }
  }
  return {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: {
        attributes: [
          str("service.name", service),
          ...(namespaces[service] ? [str("service.namespace", namespaces[service])] : []),
          ...(versions[service] ? [str("service.version", versions[service])] : []),
        ],
      },
      scopeSpans: [{ scope: { name: "seed" }, spans }],
    })),
  };
}

export async function postJsonTraces(
  otlpHttpPort: number,
  traces: SeedTrace[],
  namespaces: Record<string, string> = {},
  versions: Record<string, string> = {},
): Promise<void> {
  for (let i = 0; i < traces.length; i += 500) {
    const res = await fetch(`http://127.0.0.1:${otlpHttpPort}/v1/traces`, {
      method: "POST",
      body: JSON.stringify(otlpJsonTraces(traces.slice(i, i + 500), namespaces, versions)),
      headers: { "content-type": "application/json" },
    });
    const body = await res.json();
    if (res.status !== 200 || body.partialSuccess)
      throw new Error(`seed rejected: ${res.status} ${JSON.stringify(body)}`);
  }
}
