// Realistic OTLP traffic and a collector in its own process: shared by the benchmark and the reliability tests.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { context, SpanKind, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { COLLECTOR_NODE_FLAGS, tsEntry } from "../../lib/cli/processes";
import { ProtoReader, WireType } from "../../lib/ingest/protobuf-reader";
import { retryOnTakenPort } from "./ports";

const SERVICES = ["api-gateway", "orders", "payments", "inventory", "catalog", "search", "users", "notify"];

export interface Batch {
  body: Buffer;
  traceIds: string[];
  spans: number;
  /** The same spans for the other receivers. */
  sdkSpans: ReadableSpan[];
}

/** Zipkin v2 JSON of SDK spans, as a Zipkin exporter would send them. */
export function zipkinJson(spans: ReadableSpan[]): string {
  const kinds: Record<number, string> = { 1: "SERVER", 2: "CLIENT", 3: "PRODUCER", 4: "CONSUMER" };
  const micros = (t: [number, number]) => t[0] * 1e6 + Math.round(t[1] / 1e3);
  return JSON.stringify(
    spans.map((s) => ({
      traceId: s.spanContext().traceId,
      id: s.spanContext().spanId,
      parentId: s.parentSpanContext?.spanId,
      name: s.name,
      kind: kinds[s.kind],
      timestamp: micros(s.startTime),
      duration: Math.max(1, micros(s.duration)),
      localEndpoint: { serviceName: String(s.resource.attributes["service.name"]) },
      tags: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])),
    })),
  );
}

/** `spans` SDK spans in traces of 10 (a server span and 9 database calls), 20 attributes each, as OTLP protobuf. */
export function realisticBatch(seed: number, spans: number): Batch {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": SERVICES[seed % SERVICES.length]!,
      "service.version": "1.2.3",
      "host.name": `host-${seed % 7}`,
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("workload");
  const out: ReadableSpan[] = [];
  while (out.length < spans) {
    const root = tracer.startSpan("GET /api/orders/{id}", { kind: SpanKind.SERVER, attributes: attrs(seed) });
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 9; i++)
      tracer.startSpan(`SELECT orders ${i}`, { kind: SpanKind.CLIENT, attributes: attrs(i) }, ctx).end();
    root.end();
    out.push(...exporter.getFinishedSpans());
    exporter.reset();
  }
  const kept = out.slice(0, spans);
  return {
    body: Buffer.from(ProtobufTraceSerializer.serializeRequest(kept)!),
    traceIds: [...new Set(kept.map((s) => s.spanContext().traceId))],
    spans: kept.length,
    sdkSpans: kept,
  };
}

/**
 * A copy of an OTLP protobuf request with every trace id XORed with `salt` (not 0): the same spans, traces and
 * parent links under new trace ids, so re-sending a body stores new spans instead of being deduplicated.
 */
export function withNewTraceIds(body: Buffer, salt: number): Buffer {
  if (salt >>> 0 === 0) throw new Error("salt must not be 0");
  const out = Buffer.from(body);
  // ExportTraceServiceRequest.resource_spans(1) -> ResourceSpans.scope_spans(2) -> ScopeSpans.spans(2) -> Span.trace_id(1)
  const path = [1, 2, 2];
  const visit = (start: number, end: number, depth: number) => {
    const r = new ProtoReader(out, start, end);
    while (!r.done()) {
      const [field, wt] = r.tag();
      if (wt !== WireType.LEN) {
        r.skip(wt);
        continue;
      }
      const from = r.lengthDelimited();
      if (depth < path.length && field === path[depth]) visit(from, r.pos, depth + 1);
      else if (depth === path.length && field === 1 && r.pos - from === 16)
        out.writeUInt32BE((out.readUInt32BE(from) ^ salt) >>> 0, from);
    }
  };
  visit(0, out.length, 0);
  return out;
}

function attrs(i: number): Record<string, string | number | boolean> {
  const a: Record<string, string | number | boolean> = {};
  for (let k = 0; k < 20; k++)
    a[`attr.key.${k}`] = k % 3 === 0 ? i * k : k % 3 === 1 ? `value-${i}-${k}-lorem-ipsum` : k % 2 === 0;
  return a;
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in KiB. */
export function peakRssKiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

export interface CollectorProcess {
  proc: ChildProcess;
  ports: { otlpHttp: number; otlpGrpc: number; zipkin: number };
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The collector as its own process, started as `npm start` starts it, on `databaseUrl`; ready when /healthz answers.
 * Random ports can be taken (they lie in the ephemeral range): without explicit ports, a start that finds one in
 * use is retried on new ones.
 */
export function spawnCollector(
  databaseUrl: string,
  env: Record<string, string> = {},
  ports?: CollectorProcess["ports"],
): Promise<CollectorProcess> {
  const start = () => spawnCollectorOnce(databaseUrl, env, ports);
  return ports ? start() : retryOnTakenPort(start);
}

async function spawnCollectorOnce(
  databaseUrl: string,
  env: Record<string, string>,
  ports?: CollectorProcess["ports"],
): Promise<CollectorProcess> {
  const base = 40000 + Math.floor(Math.random() * 5000) * 3;
  const p = ports ?? { otlpHttp: base, otlpGrpc: base + 1, zipkin: base + 2 };
  const [bin, ...args] = tsEntry("lib/cli/collector.ts", COLLECTOR_NODE_FLAGS);
  const proc = spawn(bin!, args, {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      INGEST_HOST: "127.0.0.1",
      OTLP_HTTP_PORT: String(p.otlpHttp),
      OTLP_GRPC_PORT: String(p.otlpGrpc),
      ZIPKIN_PORT: String(p.zipkin),
      XRAY_PORT: "0",
      DATADOG_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`collector exited: ${out}`);
    const healthy = await fetch(`http://127.0.0.1:${p.otlpHttp}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL"); // a retry on other ports must not leave this one running
      throw new Error(`collector did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, ports: p, output: () => out, exited };
}

export interface SendResult {
  /** Trace ids of requests answered 200: every one of their spans must be stored. */
  ackedTraceIds: string[];
  ackedSpans: number;
  statuses: Record<string, number>;
  retryAfterMissing: number;
}

export const newSendResult = (): SendResult => ({
  ackedTraceIds: [],
  ackedSpans: 0,
  statuses: {},
  retryAfterMissing: 0,
});

/**
 * Posts batches with `concurrency` senders until `stop()` is true. A request that fails (503, connection
 * refused) is retried later with the same body, as exporters do; 200s are recorded in `result` as they come.
 */
export async function sendUntil(
  url: () => string,
  batches: Batch[],
  concurrency: number,
  stop: () => boolean,
  result = newSendResult(),
): Promise<SendResult> {
  let next = 0;
  const count = (k: string) => (result.statuses[k] = (result.statuses[k] ?? 0) + 1);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop() && next < batches.length) {
        const batch = batches[next++]!;
        for (;;) {
          try {
            const res = await fetch(url(), {
              method: "POST",
              body: new Uint8Array(batch.body),
              headers: { "content-type": "application/x-protobuf" },
            });
            await res.arrayBuffer();
            count(String(res.status));
            if (res.status === 200) {
              result.ackedTraceIds.push(...batch.traceIds);
              result.ackedSpans += batch.spans;
              break;
            }
            if (res.status === 503 && !res.headers.get("retry-after")) result.retryAfterMissing++;
          } catch {
            count("connection error");
          }
          if (stop()) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
  return result;
}
