// Jaeger's HTTP query API shapes (what Grafana's Jaeger data source reads), from our spans and edges (pure).
import { badRequest } from "../errors";
import { checkedTime } from "./time-range";
import type { TraceSearch } from "./trace-search";
import type { TraceSpanInput } from "./trace-tree";

export interface JaegerSearch {
  search: TraceSearch;
  from: Date;
  to: Date;
  limit: number;
}

type Params = URLSearchParams;

const DURATION_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Jaeger/Go durations like "1.5s", "300ms", "250us", "2m" -> milliseconds. */
export function jaegerDurationMs(v: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/.exec(v.trim());
  if (!m) throw badRequest(`${field}: expected a duration like 300ms or 1.5s, got "${v}"`);
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

/** GET /api/traces parameters: service, operation, tags (JSON object), start/end (µs), lookback, min/maxDuration, limit. */
export function parseJaegerSearch(p: Params, now = Date.now()): JaegerSearch {
  const service = p.get("service");
  if (!service) throw badRequest("service is required");
  const micros = (k: string) => {
    const v = p.get(k);
    if (!v) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`${k} must be microseconds since the epoch`);
    return checkedTime(n / 1000, k);
  };
  const lookback = p.get("lookback");
  const end = micros("end") ?? now;
  const start = micros("start") ?? Math.max(0, lookback && lookback !== "custom" ? end - jaegerDurationMs(lookback, "lookback") : end - 3_600_000);
  if (start >= end) throw badRequest("start must be before end");
  let attribute: TraceSearch["attribute"] = null;
  const tags = p.get("tags");
  if (tags && tags !== "{}") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tags);
    } catch {
      throw badRequest('tags must be a JSON object like {"http.status_code":"500"}');
    }
    const entries = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? Object.entries(parsed) : [];
    if (entries.length !== 1) throw badRequest("tags: exactly one key=value filter is supported");
    attribute = { key: entries[0]![0], value: String(entries[0]![1]) };
  }
  const limit = Number(p.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1500) throw badRequest("limit must be an integer from 1 to 1500");
  const op = p.get("operation");
  return {
    search: {
      from: String(start), to: String(end), service, operation: op && op !== "all" ? op : null,
      minMs: p.get("minDuration") ? jaegerDurationMs(p.get("minDuration")!, "minDuration") : null,
      maxMs: p.get("maxDuration") ? jaegerDurationMs(p.get("maxDuration")!, "maxDuration") : null,
      status: "any", attribute,
    },
    from: new Date(start), to: new Date(end), limit,
  };
}

/** A stored span as the trace view reads it (TraceSpanInput) with its ids, resource, events and links. */
export interface SpanForJaeger extends TraceSpanInput {
  traceId: string;
  attributes: Record<string, unknown>;
  resourceAttributes: Record<string, unknown>;
  events: { timeUnixNano: string; name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
}

type JaegerTag = { key: string; type: "string" | "bool" | "int64" | "float64"; value: string | number | boolean };

function tag(key: string, v: unknown): JaegerTag {
  if (typeof v === "boolean") return { key, type: "bool", value: v };
  if (typeof v === "number") return Number.isInteger(v) ? { key, type: "int64", value: v } : { key, type: "float64", value: v };
  return { key, type: "string", value: typeof v === "string" ? v : JSON.stringify(v) };
}

const KINDS = ["", "internal", "server", "client", "producer", "consumer"];

/** One trace in Jaeger's JSON model: spans with references, tags and logs, and a process per service + resource. */
export function toJaegerTrace(spans: SpanForJaeger[]) {
  const processes: Record<string, { serviceName: string; tags: JaegerTag[] }> = {};
  const processOf = new Map<string, string>();
  const ids = new Set(spans.map((s) => s.spanId));
  const jaegerSpans = spans.map((s) => {
    const processKey = JSON.stringify([s.serviceName, s.resourceAttributes]);
    let pid = processOf.get(processKey);
    if (!pid) {
      pid = `p${processOf.size + 1}`;
      processOf.set(processKey, pid);
      processes[pid] = { serviceName: s.serviceName, tags: Object.entries(s.resourceAttributes).filter(([k]) => k !== "service.name").map(([k, v]) => tag(k, v)) };
    }
    const tags = Object.entries(s.attributes).map(([k, v]) => tag(k, v));
    if (KINDS[s.kind]) tags.push(tag("span.kind", KINDS[s.kind]));
    if (s.statusCode === 2) tags.push(tag("error", true), tag("otel.status_code", "ERROR"));
    if (s.statusMessage) tags.push(tag("otel.status_description", s.statusMessage));
    return {
      traceID: s.traceId, spanID: s.spanId, operationName: s.name, flags: 1,
      references: [
        ...(s.parentSpanId ? [{ refType: "CHILD_OF", traceID: s.traceId, spanID: s.parentSpanId }] : []),
        ...s.links.map((l) => ({ refType: "FOLLOWS_FROM", traceID: l.traceId, spanID: l.spanId })),
      ],
      startTime: Number(s.startNs / 1000n), duration: Number(s.durationNs / 1000n), tags,
      logs: s.events.map((e) => ({ timestamp: Number(BigInt(e.timeUnixNano) / 1000n), fields: [tag("event", e.name), ...Object.entries(e.attributes).map(([k, v]) => tag(k, v))] })),
      processID: pid,
      warnings: s.parentSpanId && !ids.has(s.parentSpanId) ? ["parent span not in this trace"] : null,
    };
  });
  return { traceID: spans[0]?.traceId ?? "", spans: jaegerSpans, processes, warnings: null };
}

/** Jaeger's response envelope. */
export const jaegerData = <T>(data: T) => ({ data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors: null });
