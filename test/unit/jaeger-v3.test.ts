import type { StoredSpan } from "../../lib/model/span";
import { describe, expect, it } from "vitest";
import { metricFamily, parseMetricsQuery, type MinuteFigures } from "../../lib/domain/jaeger-metrics";
import {
  anyValue,
  kindName,
  parseSpanKind,
  parseV3Query,
  summarizeTrace,
  toOtlpTraces,
} from "../../lib/domain/jaeger-v3";
import { addToHistogram } from "../../lib/model/histogram";
import { bytesValue } from "../../lib/model/span";
import { AppError } from "../../lib/errors";

const span = (
  spanId: string,
  parentSpanId: string | null,
  serviceName: string,
  extra: Partial<StoredSpan> = {},
): StoredSpan => ({
  traceId: "ab".repeat(16),
  spanId,
  parentSpanId,
  serviceName,
  name: `op-${spanId}`,
  kind: 2,
  startNs: 1_000_000_000n,
  durationNs: 2_000_000n,
  statusCode: 0,
  statusMessage: null,
  attributes: {},
  resourceAttributes: { "service.name": serviceName },
  events: [],
  links: [],
  traceState: null,
  scopeName: null,
  scopeVersion: null,
  ...extra,
});

describe("Jaeger API v3 queries", () => {
  it("reads query.* as Jaeger's gateway does: RFC 3339 window, Go durations, attributes JSON, searchDepth", () => {
    const q = parseV3Query(
      new URLSearchParams({
        "query.serviceName": "orders",
        "query.operationName": "GET /",
        "query.startTimeMin": "2026-12-04T10:00:00Z",
        "query.startTimeMax": "2026-12-04T11:00:00.5+01:00",
        "query.durationMin": "1m30s",
        "query.durationMax": "2s",
        "query.attributes": '{"error":"true","http.route":"/a"}',
        "query.searchDepth": "5",
      }),
    );
    expect([q.from.toISOString(), q.to.toISOString(), q.limit]).toEqual([
      "2026-12-04T10:00:00.000Z",
      "2026-12-04T10:00:00.500Z",
      5,
    ]);
    expect(q.search).toMatchObject({ service: "orders", operation: "GET /", minMs: 90_000, maxMs: 2000 });
    expect(q.search.attributes).toEqual([
      { key: "error", value: "true" },
      { key: "http.route", value: "/a" },
    ]);
    const old = parseV3Query(
      new URLSearchParams({
        "query.start_time_min": "2026-12-04T10:00:00Z",
        "query.start_time_max": "2026-12-04T10:01:00Z",
      }),
    );
    expect([old.search.service, old.limit]).toEqual([null, 100]);
  });

  it("answers a missing or malformed parameter with 400", () => {
    const ok = { "query.startTimeMin": "2026-12-04T10:00:00Z", "query.startTimeMax": "2026-12-04T10:01:00Z" };
    for (const bad of [
      {},
      { ...ok, "query.startTimeMin": "1733300000" },
      { ...ok, "query.startTimeMax": "2026-12-04T09:00:00Z" },
      { ...ok, "query.durationMin": "fast" },
      { ...ok, "query.searchDepth": "x" },
      { ...ok, "query.attributes": "[" },
    ]) {
      expect(() => parseV3Query(new URLSearchParams(bad as Record<string, string>))).toThrow(AppError);
    }
    expect(parseSpanKind(new URLSearchParams({ spanKind: "server" }))).toBe(2);
    expect(parseSpanKind(new URLSearchParams())).toBeNull();
    expect(() => parseSpanKind(new URLSearchParams({ spanKind: "sideways" }))).toThrow(AppError);
    expect([kindName(0, "v1"), kindName(0, "v3"), kindName(3, "v3")]).toEqual(["", "internal", "client"]);
  });
});

describe("Jaeger API v3 results", () => {
  it("gives OTLP JSON: resource per service, scope per library, hex ids, int64 as strings, bytes as bytesValue", () => {
    const out = toOtlpTraces([
      span("01", null, "web", {
        attributes: { n: 7, r: 0.5, b: true, s: "<i>", arr: [1, "x"], kv: { a: 1 }, blob: bytesValue("AAEC") },
        statusCode: 2,
        statusMessage: "boom",
        scopeName: "http",
        scopeVersion: "1.0",
        traceState: "k=v",
      }),
      span("02", "01", "web", {
        kind: 3,
        scopeName: "http",
        scopeVersion: "1.0",
        events: [{ timeUnixNano: "1000500000", name: "retry", attributes: { n: 2 } }],
      }),
      span("03", "02", "api", { links: [{ traceId: "cd".repeat(16), spanId: "09", attributes: {} }] }),
    ]);
    expect(out.resourceSpans).toHaveLength(2);
    const [web, api] = out.resourceSpans;
    expect(web!.resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "web" } }]);
    expect(web!.scopeSpans).toHaveLength(1);
    expect(web!.scopeSpans[0]!.scope).toEqual({ name: "http", version: "1.0" });
    const [a, b] = web!.scopeSpans[0]!.spans as Record<string, unknown>[];
    expect(a).toMatchObject({
      traceId: "ab".repeat(16),
      spanId: "01",
      traceState: "k=v",
      kind: 2,
      startTimeUnixNano: "1000000000",
      endTimeUnixNano: "1002000000",
      status: { code: 2, message: "boom" },
    });
    expect(a!.parentSpanId).toBeUndefined();
    expect(a!.attributes).toEqual([
      { key: "n", value: { intValue: "7" } },
      { key: "r", value: { doubleValue: 0.5 } },
      { key: "b", value: { boolValue: true } },
      { key: "s", value: { stringValue: "<i>" } },
      { key: "arr", value: { arrayValue: { values: [{ intValue: "1" }, { stringValue: "x" }] } } },
      { key: "kv", value: { kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }] } } },
      { key: "blob", value: { bytesValue: "AAEC" } },
    ]);
    expect(b).toMatchObject({
      parentSpanId: "01",
      kind: 3,
      events: [{ timeUnixNano: "1000500000", name: "retry", attributes: [{ key: "n", value: { intValue: "2" } }] }],
    });
    expect(api!.scopeSpans[0]!.spans[0]).toMatchObject({
      links: [{ traceId: "cd".repeat(16), spanId: "09", attributes: [] }],
      status: {},
    });
    expect(anyValue({ bytesValue: "not base64!" })).toEqual({
      kvlistValue: { values: [{ key: "bytesValue", value: { stringValue: "not base64!" } }] },
    });
  });

  it("summarises a trace: root, start and end, span, error and orphan counts per service", () => {
    const s = summarizeTrace([
      span("02", "01", "api", { startNs: 1_100_000_000n, durationNs: 5_000_000_000n, statusCode: 2 }),
      span("01", null, "web", { name: "GET /checkout" }),
      span("03", "99", "api", { startNs: 900_000_000n }),
    ]);
    expect(s).toEqual({
      traceId: "ab".repeat(16),
      rootServiceName: "web",
      rootOperationName: "GET /checkout",
      minStartTimeUnixNano: "900000000",
      maxEndTimeUnixNano: "6100000000",
      spanCount: 3,
      errorSpanCount: 1,
      orphanSpanCount: 1,
      services: [
        { name: "api", spanCount: 2, errorSpanCount: 1 },
        { name: "web", spanCount: 1, errorSpanCount: 0 },
      ],
    });
  });
});

describe("Jaeger metrics API", () => {
  const now = Date.UTC(2026, 11, 4, 12, 0, 0);
  const minute = (
    m: number,
    service: string,
    operation: string,
    requests: number,
    failed: number,
    ms: number,
  ): MinuteFigures => {
    const hist = {};
    addToHistogram(hist, ms * 1e6, requests);
    return { minuteMs: now - m * 60_000, service, operation, requests, failed, hist };
  };

  it("parses Jaeger UI's Monitor query and refuses what it cannot answer", () => {
    const q = parseMetricsQuery(
      "latencies",
      new URLSearchParams(
        "service=a&quantile=0.95&endTs=1&lookback=3600000&step=60000&ratePer=600000&spanKind=server&groupByOperation=true",
      ),
    );
    expect(q).toMatchObject({
      services: ["a"],
      quantile: 0.95,
      groupByOperation: true,
      spanKinds: [2],
      endMs: 1,
      stepMs: 60_000,
      ratePerMs: 600_000,
    });
    expect(parseMetricsQuery("calls", new URLSearchParams("service=a,b&service=c"), now)).toMatchObject({
      services: ["a", "b", "c"],
      spanKinds: [2],
      endMs: now,
      lookbackMs: 3_600_000,
    });
    for (const [type, p] of [
      ["calls", ""],
      ["latencies", "service=a"],
      ["latencies", "service=a&quantile=2"],
      ["calls", "service=a&spanKind=x"],
      ["calls", "service=a&step=1&lookback=604800000"],
      ["calls", "service=a&endTs=soon"],
      ["calls", "service=a&ratePer=1000"],
    ] as const) {
      expect(() => parseMetricsQuery(type, new URLSearchParams(p))).toThrow(AppError);
    }
  });

  it("gives each point the rate, error share and quantile of the ratePer window before it, up to the watermark", () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => minute(i + 1, "a", "", 600, 60, 100)),
      minute(11, "a", "", 6000, 0, 100),
      minute(1, "a", "GET /", 600, 0, 100),
      minute(1, "b", "", 60, 60, 1),
    ];
    const q = parseMetricsQuery(
      "calls",
      new URLSearchParams(`service=a&endTs=${now}&lookback=60000&step=60000&ratePer=600000`),
    );
    const calls = metricFamily("calls", q, rows, now);
    expect(calls.name).toBe("service_call_rate");
    expect(calls.metrics).toHaveLength(1);
    expect(calls.metrics[0]!.labels).toEqual([{ name: "service_name", value: "a" }]);
    const points = calls.metrics[0]!.metricPoints.map((p) => [p.timestamp, p.gaugeValue.doubleValue]);
    // At now: the 10 minutes before it, 600 a minute = 10/s. A minute earlier the 6000-call minute is inside.
    expect(points).toEqual([
      [new Date(now - 60_000).toISOString(), (9 * 600 + 6000) / 600],
      [new Date(now).toISOString(), 10],
    ]);
    const errors = metricFamily("errors", q, rows, now);
    expect(errors.metrics[0]!.metricPoints.at(-1)!.gaugeValue.doubleValue).toBeCloseTo(0.1);
    const lq = parseMetricsQuery(
      "latencies",
      new URLSearchParams(`service=b&quantile=0.95&endTs=${now}&lookback=60000&step=60000`),
    );
    const latency = metricFamily("latencies", lq, rows, now);
    expect([latency.name, latency.help]).toEqual(["service_latencies", "0.95th quantile latency, grouped by service"]);
    const ms = latency.metrics[0]!.metricPoints.map((p) => p.gaugeValue.doubleValue);
    expect(ms).toHaveLength(1); // the point a minute earlier has no calls in its window: left out, not zero
    for (const v of ms) expect(v).toBeCloseTo(1, 0);
  });

  it("divides by the counted part of the window only, leaves out points with nothing counted, groups by operation", () => {
    const rows = Array.from({ length: 10 }, (_, i) => minute(i + 1, "a", "", 600, 0, 100));
    const q = parseMetricsQuery(
      "calls",
      new URLSearchParams(`service=a&endTs=${now}&lookback=1200000&step=600000&ratePer=600000`),
    );
    // Watermark 5.5 minutes ago: the newest point covers the 5 whole minutes counted, the older ones are whole (no calls).
    const settled = now - 5.5 * 60_000;
    const rate = metricFamily("calls", q, rows, settled).metrics[0]!.metricPoints;
    expect(rate.map((p) => p.gaugeValue.doubleValue)).toEqual([0, 0, (600 * 4) / 240]);
    expect(metricFamily("calls", q, rows, null).metrics[0]!.metricPoints).toEqual([]);
    const lat = metricFamily("latencies", { ...q, quantile: 0.5 }, rows, now).metrics[0]!.metricPoints;
    expect(lat).toHaveLength(1);
    expect(lat[0]!.gaugeValue.doubleValue).toBeGreaterThan(95);
    expect(lat[0]!.gaugeValue.doubleValue).toBeLessThan(105);
    const byOp = metricFamily(
      "calls",
      { ...q, groupByOperation: true },
      [...rows, minute(1, "a", "GET /", 60, 0, 1)],
      now,
    );
    expect(byOp.name).toBe("service_operation_call_rate");
    expect(byOp.metrics.map((m) => m.labels)).toEqual([
      [
        { name: "service_name", value: "a" },
        { name: "operation", value: "GET /" },
      ],
    ]);
  });
});
