import type { StoredSpan } from "../model/span";
// Jaeger's query API v3 over HTTP (proto3 JSON, camelCase), as Jaeger UI 2.15+ reads it: OTLP traces and trace
// summaries from our spans (pure). Shapes follow jaeger's api_v3 query_service.proto and its HTTP gateway.
import { type AppError, badRequest } from "../errors";
import { goDurationMs, KIND_NAMES, parseJaegerTags } from "./jaeger";
import { bytesOf } from "../model/span";
import { checkedTime, envsOf } from "../model/window";
import type { JaegerSearch } from "./jaeger";

/** The first of the canonical (camelCase) and the deprecated (snake_case) spelling of a parameter. */
const param = (p: URLSearchParams, canonical: string, deprecated: string) =>
  p.get(canonical) || p.get(deprecated) || "";

function rfc3339(p: URLSearchParams, canonical: string, deprecated: string): number {
  const v = param(p, canonical, deprecated);
  // RFC 3339 only: Date.parse would also take "March 3" or a bare number.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i.test(v)) {
    throw badRequest(
      `malformed parameter ${canonical}: expected an RFC 3339 time like 2026-01-02T15:04:05Z, got "${v}"`,
    );
  }
  return checkedTime(Date.parse(v), canonical);
}

/** GET /api/v3/traces and /api/v3/trace-summaries: `query.*` parameters, as Jaeger's gateway parses them. */
export function parseV3Query(p: URLSearchParams): JaegerSearch {
  if (
    !param(p, "query.startTimeMin", "query.start_time_min") ||
    !param(p, "query.startTimeMax", "query.start_time_max")
  ) {
    throw badRequest("query.startTimeMin and query.startTimeMax are required");
  }
  const from = rfc3339(p, "query.startTimeMin", "query.start_time_min");
  const to = rfc3339(p, "query.startTimeMax", "query.start_time_max");
  if (from >= to) throw badRequest("query.startTimeMin must be before query.startTimeMax");
  const depthText = param(p, "query.searchDepth", "query.search_depth") || p.get("query.num_traces") || "100";
  const limit = Number(depthText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1500)
    throw badRequest("query.searchDepth must be an integer from 1 to 1500");
  const duration = (c: string, d: string) => (param(p, c, d) ? goDurationMs(param(p, c, d), c) : null);
  const tags = new URLSearchParams();
  for (const a of p.getAll("query.attributes")) tags.append("tags", a);
  return {
    search: {
      from: String(from),
      to: String(to),
      service: param(p, "query.serviceName", "query.service_name") || null,
      operation: param(p, "query.operationName", "query.operation_name") || null,
      minMs: duration("query.durationMin", "query.duration_min"),
      maxMs: duration("query.durationMax", "query.duration_max"),
      status: "any",
      attributes: parseJaegerTags(tags),
      kind: null,
      envs: envsOf(p.getAll("query.env")), // not Jaeger's: Tracemap's environments, as on the map
      sort: "newest",
      page: 1,
    },
    from: new Date(from),
    to: new Date(to),
    limit,
  };
}

const KIND_NUMBERS: Record<string, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

/** `spanKind` (or `span_kind`) of the operations endpoints -> span kind number; empty -> every kind. */
export function parseSpanKind(p: URLSearchParams): number | null {
  const v = (p.get("spanKind") || p.get("span_kind") || "").toLowerCase();
  if (v === "") return null;
  if (!(v in KIND_NUMBERS))
    throw badRequest(`unsupported span kind: '${v}' (one of ${Object.keys(KIND_NUMBERS).join(", ")})`);
  return KIND_NUMBERS[v]!;
}

/** Span kind as the operations endpoints name it: v1 leaves unspecified empty, v3 reports it as internal. */
export const kindName = (kind: number, api: "v1" | "v3") => KIND_NAMES[kind] || (api === "v3" ? "internal" : "");

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
type KeyValue = { key: string; value: AnyValue };

/** A stored attribute value as an OTLP AnyValue (int64 as a decimal string, as proto3 JSON writes it). */
export function anyValue(v: unknown): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  const bytes = bytesOf(v);
  if (bytes !== null) return { bytesValue: bytes };
  if (v !== null && typeof v === "object") return { kvlistValue: { values: keyValues(v as Record<string, unknown>) } };
  return { stringValue: "" };
}

const keyValues = (a: Record<string, unknown>): KeyValue[] =>
  Object.entries(a).map(([key, v]) => ({ key, value: anyValue(v) }));

const nanos = (ns: bigint) => ns.toString();

/** Spans in OTLP JSON (TracesData), one ResourceSpans per service + resource, one ScopeSpans per scope. */
export function toOtlpTraces(spans: StoredSpan[]) {
  const resources = new Map<
    string,
    { resource: { attributes: KeyValue[] }; scopes: Map<string, { scope: object; spans: object[] }> }
  >();
  for (const s of spans) {
    const rkey = JSON.stringify([s.serviceName, s.resourceAttributes]);
    let r = resources.get(rkey);
    if (!r) {
      const attrs =
        "service.name" in s.resourceAttributes
          ? s.resourceAttributes
          : { "service.name": s.serviceName, ...s.resourceAttributes };
      r = { resource: { attributes: keyValues(attrs) }, scopes: new Map() };
      resources.set(rkey, r);
    }
    const skey = JSON.stringify([s.scopeName, s.scopeVersion]);
    let scope = r.scopes.get(skey);
    if (!scope) {
      scope = {
        scope: {
          ...(s.scopeName ? { name: s.scopeName } : {}),
          ...(s.scopeVersion ? { version: s.scopeVersion } : {}),
        },
        spans: [],
      };
      r.scopes.set(skey, scope);
    }
    scope.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      ...(s.traceState ? { traceState: s.traceState } : {}),
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: nanos(s.startNs),
      endTimeUnixNano: nanos(s.startNs + s.durationNs),
      attributes: keyValues(s.attributes),
      events: (s.events ?? []).map((e) => ({
        timeUnixNano: e.timeUnixNano,
        name: e.name,
        attributes: keyValues(e.attributes),
      })),
      links: (s.links ?? []).map((l) => ({
        traceId: l.traceId,
        spanId: l.spanId,
        attributes: keyValues(l.attributes ?? {}),
      })),
      status: {
        ...(s.statusCode ? { code: s.statusCode } : {}),
        ...(s.statusMessage ? { message: s.statusMessage } : {}),
      },
    });
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((sc) => ({ scope: sc.scope, spans: sc.spans })),
    })),
  };
}

/** What a trace summary needs of each span. */
export type SummarySpan = Pick<
  StoredSpan,
  "traceId" | "spanId" | "parentSpanId" | "serviceName" | "name" | "startNs" | "durationNs" | "statusCode"
>;

/** One trace's summary as /api/v3/trace-summaries returns it (Jaeger's api_v3 TraceSummary). */
export function summarizeTrace(spans: SummarySpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const byStart = [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const root = byStart.find((s) => !s.parentSpanId) ?? byStart.find((s) => !ids.has(s.parentSpanId!)) ?? byStart[0];
  const services = new Map<string, { name: string; spanCount: number; errorSpanCount: number }>();
  let errors = 0;
  let orphans = 0;
  let end = 0n;
  for (const s of spans) {
    const failed = s.statusCode === 2 ? 1 : 0;
    errors += failed;
    if (s.parentSpanId && !ids.has(s.parentSpanId)) orphans += 1;
    if (s.startNs + s.durationNs > end) end = s.startNs + s.durationNs;
    const svc = services.get(s.serviceName) ?? { name: s.serviceName, spanCount: 0, errorSpanCount: 0 };
    svc.spanCount += 1;
    svc.errorSpanCount += failed;
    services.set(s.serviceName, svc);
  }
  return {
    traceId: spans[0]?.traceId ?? "",
    rootServiceName: root?.serviceName ?? "",
    rootOperationName: root?.name ?? "",
    minStartTimeUnixNano: nanos(byStart[0]?.startNs ?? 0n),
    maxEndTimeUnixNano: nanos(end),
    spanCount: spans.length,
    errorSpanCount: errors,
    orphanSpanCount: orphans,
    services: [...services.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The v3 gateway's error body (grpc-gateway style). */
export const v3ErrorBody = (err: AppError) => ({ error: { httpCode: err.status, message: err.message } });
