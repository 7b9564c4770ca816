import type { SpanCore } from "../model/span";
import { bytesOf, type Attributes } from "../model/span";
import { virtualNodeOf } from "./virtual-node";
import { criticalPath, selfTimes } from "./critical-path";
import { ascending } from "./order";

export interface TraceRow {
  spanId: string;
  parentSpanId: string | null;
  depth: number;
  service: string;
  name: string;
  kind: string;
  offsetMs: number;
  durationMs: number;
  error: boolean;
  statusMessage: string | null;
  attributes: [string, string][];
  /** Parent id set but that span is not in the trace. */
  orphan: boolean;
  /** On the trace's critical path: what the root was waiting for. */
  critical: boolean;
  /** Time not covered by any child. */
  selfMs: number;
  statusCode: number;
  resource: [string, string][];
  events: { name: string; offsetMs: number; attributes: [string, string][] }[];
  links: { traceId: string; spanId: string }[];
  /** For client and producer spans: whom it calls (the callee's service, else the peer its attributes name). */
  peer: string | null;
}

export type TraceSpanInput = Pick<
  SpanCore,
  | "spanId"
  | "parentSpanId"
  | "serviceName"
  | "name"
  | "kind"
  | "startNs"
  | "durationNs"
  | "statusCode"
  | "statusMessage"
> & {
  attributes: unknown;
  resourceAttributes?: unknown;
  events?: { timeUnixNano: string; name: string; attributes: unknown }[];
  links?: { traceId: string; spanId: string }[];
};

const [SERVER, CLIENT, PRODUCER, CONSUMER] = [2, 3, 4, 5];
const KIND_NAMES = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** Waterfall order: parents before children, siblings by start; spans whose parent is missing become roots. */
export function waterfallRows(input: TraceSpanInput[]): TraceRow[] {
  if (input.length === 0) return [];
  const spans = [...input].sort((a, b) => ascending(a.startNs, b.startNs));
  const t0 = spans.reduce((min, s) => (s.startNs < min ? s.startNs : min), spans[0]!.startNs);
  const onPath = criticalPath(spans);
  const self = selfTimes(spans);
  const indexOf = new Map(spans.map((s, i) => [s, i]));
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, typeof spans>();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    const list = children.get(key);
    if (list) list.push(s);
    else children.set(key, [s]);
  }
  const peerOf = (s: (typeof spans)[number]): string | null => {
    if (s.kind !== CLIENT && s.kind !== PRODUCER) return null;
    const callee = children
      .get(s.spanId)
      ?.find((c) => (c.kind === SERVER || c.kind === CONSUMER) && c.serviceName !== s.serviceName);
    if (callee) return callee.serviceName;
    const named = virtualNodeOf((s.attributes ?? {}) as Attributes).name;
    return named === "unknown" ? null : named;
  };
  const rows: TraceRow[] = [];
  const emitted = new Set<(typeof spans)[number]>();
  const expanded = new Set<string>();
  const emit = (s: (typeof spans)[number], depth: number) => {
    emitted.add(s);
    rows.push({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      depth,
      service: s.serviceName,
      name: s.name,
      kind: KIND_NAMES[s.kind] ?? String(s.kind),
      offsetMs: Number(s.startNs - t0) / 1e6,
      durationMs: Number(s.durationNs) / 1e6,
      error: s.statusCode === 2,
      statusMessage: s.statusMessage,
      attributes: textPairs(s.attributes),
      statusCode: s.statusCode,
      resource: textPairs(s.resourceAttributes),
      events: (s.events ?? []).map((e) => ({
        name: e.name,
        offsetMs: Number(BigInt(e.timeUnixNano) - t0) / 1e6,
        attributes: textPairs(e.attributes),
      })),
      links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
      peer: peerOf(s),
      orphan: s.parentSpanId !== null && !ids.has(s.parentSpanId),
      critical: onPath.has(indexOf.get(s)!),
      selfMs: Number(self[indexOf.get(s)!]!) / 1e6,
    });
    // Zipkin shared spans reuse one id for two rows, and bad data can form cycles: expand each id once.
    if (expanded.has(s.spanId)) return;
    expanded.add(s.spanId);
    for (const c of children.get(s.spanId) ?? []) if (!emitted.has(c)) emit(c, depth + 1);
  };
  for (const root of children.get(null) ?? []) emit(root, 0);
  for (const s of spans) if (!emitted.has(s)) emit(s, 0); // members of parent cycles
  return rows;
}

/** Attribute values as the waterfall shows them; bytes values as their base64, marked so they read as bytes. */
function textPairs(attrs: unknown): [string, string][] {
  return Object.entries((attrs ?? {}) as Record<string, unknown>).map(([k, v]) => {
    const bytes = bytesOf(v);
    return [k, typeof v === "string" ? v : bytes !== null ? `bytes (base64) ${bytes}` : JSON.stringify(v)];
  });
}
