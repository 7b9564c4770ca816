import type { StoredSpan } from "../model/span";
// Jaeger's HTTP query API (v1, what Jaeger UI and Grafana's Jaeger data source read), from our spans (pure).
import { type AppError, badRequest } from "../errors";
import { bytesOf } from "../model/span";
import { checkedTime, envsOf } from "../model/window";
import type { AttributeFilter, TraceSearch } from "./trace-search";

export interface JaegerSearch {
  search: TraceSearch;
  from: Date;
  to: Date;
  limit: number;
}

type Params = URLSearchParams;

const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (time.ParseDuration: "1m30s", "1.5h", "300ms", "-2s", "0") -> milliseconds. */
export function goDurationMs(v: string, field: string): number {
  const text = v.trim();
  const fail = () => badRequest(`${field}: expected a duration like 300ms, 1.5s or 1m30s, got "${v}"`);
  const m = /^([-+]?)(.*)$/.exec(text)!;
  const sign = m[1] === "-" ? -1 : 1;
  if (m[2] === "0") return 0;
  if (m[2] === "") throw fail();
  let total = 0;
  let rest = m[2]!;
  while (rest !== "") {
    const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) throw fail();
    total += Number(part[1]) * GO_UNITS_MS[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  return sign * total;
}

/**
 * Tag filters as Jaeger takes them: `tags` JSON objects (what Jaeger UI sends after reading the user's logfmt) and
 * `tag=key:value` pairs; several filters all must match.
 */
export function parseJaegerTags(p: Params): AttributeFilter[] {
  const out: AttributeFilter[] = [];
  for (const tags of p.getAll("tags")) {
    if (tags.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(tags);
    } catch {
      throw badRequest('tags must be a JSON object like {"http.status_code":"500","error":"true"}');
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("tags must be a JSON object");
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== null && typeof value === "object")
        throw badRequest(`tags: the value of ${key} must be a string, number or boolean`);
      out.push({ key, value: String(value) });
    }
  }
  for (const tag of p.getAll("tag")) {
    const colon = tag.indexOf(":");
    if (colon <= 0) throw badRequest(`tag must look like key:value, got "${tag}"`);
    out.push({ key: tag.slice(0, colon), value: tag.slice(colon + 1) });
  }
  return out;
}

const TRACE_ID = /^[0-9a-f]{1,32}$/;

/** A trace id as Jaeger accepts it (hex, up to 32 digits, any case) -> 32 lower-case hex digits. */
export function jaegerTraceId(v: string, field = "traceID"): string {
  const id = v.trim().toLowerCase();
  if (!TRACE_ID.test(id))
    throw badRequest(`${field} must be a hex trace id of up to 32 digits, got "${v.slice(0, 64)}"`);
  return id.padStart(32, "0");
}

/** `traceID` parameters (repeatable) of GET /api/traces: when present, they are looked up instead of a search. */
export function parseTraceIds(p: Params): string[] {
  return [
    ...new Set(
      p
        .getAll("traceID")
        .flatMap((v) => v.split(","))
        .filter((v) => v.trim() !== "")
        .map((v) => jaegerTraceId(v)),
    ),
  ];
}

/** GET /api/traces parameters: service, operation, tags, start/end (µs), lookback, min/maxDuration, limit. */
export function parseJaegerSearch(p: Params, now = Date.now()): JaegerSearch {
  const service = p.get("service");
  if (!service) throw badRequest("parameter 'service' is required");
  const micros = (k: string) => {
    const v = p.get(k);
    if (!v) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`${k} must be microseconds since the epoch`);
    return checkedTime(n / 1000, k);
  };
  const lookback = p.get("lookback");
  const end = micros("end") ?? now;
  const start =
    micros("start") ??
    Math.max(0, lookback && lookback !== "custom" ? end - goDurationMs(lookback, "lookback") : end - 3_600_000);
  if (start >= end) throw badRequest("start must be before end");
  const limit = Number(p.get("limit") || 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1500)
    throw badRequest("limit must be an integer from 1 to 1500");
  const op = p.get("operation");
  const duration = (k: string) => (p.get(k) ? goDurationMs(p.get(k)!, k) : null);
  return {
    search: {
      from: String(start),
      to: String(end),
      service,
      operation: op && op !== "all" ? op : null,
      minMs: duration("minDuration"),
      maxMs: duration("maxDuration"),
      status: "any",
      attributes: parseJaegerTags(p),
      kind: null,
      envs: envsOf(p.getAll("env")), // not Jaeger's: Tracemap's environments, as on the map
      sort: "newest",
      page: 1,
    },
    from: new Date(start),
    to: new Date(end),
    limit,
  };
}

type JaegerTag = {
  key: string;
  type: "string" | "bool" | "int64" | "float64" | "binary";
  value: string | number | boolean;
};

function tag(key: string, v: unknown): JaegerTag {
  if (typeof v === "boolean") return { key, type: "bool", value: v };
  if (typeof v === "number")
    return Number.isInteger(v) ? { key, type: "int64", value: v } : { key, type: "float64", value: v };
  const bytes = bytesOf(v);
  if (bytes !== null) return { key, type: "binary", value: bytes };
  return { key, type: "string", value: typeof v === "string" ? v : JSON.stringify(v) };
}

export const KIND_NAMES = ["", "internal", "server", "client", "producer", "consumer"];

/** One trace in Jaeger's JSON model: spans with references, tags and logs, and a process per service + resource. */
export function toJaegerTrace(spans: StoredSpan[]) {
  const processes: Record<string, { serviceName: string; tags: JaegerTag[] }> = {};
  const processOf = new Map<string, string>();
  const ids = new Set(spans.map((s) => s.spanId));
  const jaegerSpans = spans.map((s) => {
    const processKey = JSON.stringify([s.serviceName, s.resourceAttributes]);
    let pid = processOf.get(processKey);
    if (!pid) {
      pid = `p${processOf.size + 1}`;
      processOf.set(processKey, pid);
      const resourceTags = Object.entries(s.resourceAttributes).filter(([k]) => k !== "service.name");
      processes[pid] = { serviceName: s.serviceName, tags: resourceTags.map(([k, v]) => tag(k, v)) };
    }
    const tags = Object.entries(s.attributes).map(([k, v]) => tag(k, v));
    if (KIND_NAMES[s.kind]) tags.push(tag("span.kind", KIND_NAMES[s.kind]));
    if (s.statusCode === 2) tags.push(tag("error", true), tag("otel.status_code", "ERROR"));
    if (s.statusCode === 1) tags.push(tag("otel.status_code", "OK"));
    if (s.statusMessage) tags.push(tag("otel.status_description", s.statusMessage));
    if (s.scopeName) tags.push(tag("otel.scope.name", s.scopeName));
    if (s.scopeVersion) tags.push(tag("otel.scope.version", s.scopeVersion));
    const logs = (s.events ?? []).map((e) => ({
      timestamp: Number(BigInt(e.timeUnixNano) / 1000n),
      fields: [tag("event", e.name), ...Object.entries(e.attributes).map(([k, v]) => tag(k, v))],
    }));
    return {
      traceID: s.traceId,
      spanID: s.spanId,
      operationName: s.name,
      flags: 1,
      references: [
        ...(s.parentSpanId ? [{ refType: "CHILD_OF", traceID: s.traceId, spanID: s.parentSpanId }] : []),
        ...(s.links ?? []).map((l) => ({ refType: "FOLLOWS_FROM", traceID: l.traceId, spanID: l.spanId })),
      ],
      startTime: Number(s.startNs / 1000n),
      duration: Number(s.durationNs / 1000n),
      tags,
      logs,
      processID: pid,
      warnings: s.parentSpanId && !ids.has(s.parentSpanId) ? ["parent span not in this trace"] : null,
    };
  });
  return { traceID: spans[0]?.traceId ?? "", spans: jaegerSpans, processes, warnings: null };
}

export interface JaegerError {
  code?: number;
  msg: string;
  traceID?: string;
}

/** Jaeger's response envelope; `errors` carries per-item problems (e.g. a trace id not found) beside the data. */
export const jaegerData = <T>(data: T, errors: JaegerError[] | null = null) => ({
  data,
  total: Array.isArray(data) ? data.length : 0,
  limit: 0,
  offset: 0,
  errors,
});

/** Jaeger's error body: Jaeger UI prints `errors[].msg`. */
export const jaegerErrorBody = (err: AppError) => ({
  data: null,
  total: 0,
  limit: 0,
  offset: 0,
  errors: [{ code: err.status, msg: err.message }],
});
