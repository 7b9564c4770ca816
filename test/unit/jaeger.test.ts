import { describe, expect, it } from "vitest";
import {
  goDurationMs,
  jaegerErrorBody,
  parseJaegerSearch,
  parseTraceIds,
  toJaegerTrace,
} from "../../lib/domain/jaeger";
import { bytesValue } from "../../lib/model/span";
import { AppError } from "../../lib/errors";

describe("Jaeger query parameters", () => {
  it("reads Grafana's search: microsecond window, Go durations, tags, limit", () => {
    const q = parseJaegerSearch(
      new URLSearchParams({
        service: "orders",
        operation: "GET /",
        start: "1700000000000000",
        end: "1700000600000000",
        minDuration: "1.5s",
        maxDuration: "300ms",
        tags: '{"http.status_code":"500"}',
        limit: "7",
      }),
    );
    expect(q.from.getTime()).toBe(1_700_000_000_000);
    expect(q.to.getTime()).toBe(1_700_000_600_000);
    expect(q.search).toMatchObject({ service: "orders", operation: "GET /", minMs: 1500, maxMs: 300 });
    expect(q.search.attributes).toEqual([{ key: "http.status_code", value: "500" }]);
    expect(q.limit).toBe(7);
    const lookback = parseJaegerSearch(
      new URLSearchParams({ service: "a", lookback: "2h", operation: "all" }),
      10 * 3_600_000,
    );
    expect([lookback.from.getTime(), lookback.to.getTime(), lookback.search.operation]).toEqual([
      8 * 3_600_000,
      10 * 3_600_000,
      null,
    ]);
    expect(goDurationMs("250us", "x")).toBe(0.25);
  });

  it("takes Go durations as time.ParseDuration does", () => {
    expect(goDurationMs("1m30s", "d")).toBe(90_000);
    expect(goDurationMs("1h2m3.5s", "d")).toBe(3_723_500);
    expect(goDurationMs("1.5h", "d")).toBe(5_400_000);
    expect(goDurationMs("2µs", "d")).toBeCloseTo(0.002);
    expect(goDurationMs("500ns", "d")).toBeCloseTo(0.0005);
    expect(goDurationMs("0", "d")).toBe(0);
    expect(goDurationMs("-2s", "d")).toBe(-2000);
    for (const bad of ["", "5", "1.5", "s", "1m 30s", "1d", "1ms5", "--1s"])
      expect(() => goDurationMs(bad, "d")).toThrow(AppError);
    expect(parseJaegerSearch(new URLSearchParams({ service: "a", minDuration: "1m30s" })).search.minMs).toBe(90_000);
  });

  it("reads every tag filter: several in one JSON object, repeated tags, tag=key:value; all must match", () => {
    const q = parseJaegerSearch(
      new URLSearchParams([
        ["service", "a"],
        ["tags", '{"error":"true","span.kind":"server"}'],
        ["tags", '{"http.status_code":500}'],
        ["tag", "k8s.namespace.name:shop:prod"],
      ]),
    );
    expect(q.search.attributes).toEqual([
      { key: "error", value: "true" },
      { key: "span.kind", value: "server" },
      { key: "http.status_code", value: "500" },
      { key: "k8s.namespace.name", value: "shop:prod" },
    ]);
    for (const bad of [[["tags", "[1]"]], [["tags", '{"a":{"b":1}}']], [["tag", "novalue"]]]) {
      expect(() => parseJaegerSearch(new URLSearchParams([["service", "a"], ...bad] as string[][]))).toThrow(AppError);
    }
  });

  it("looks up several trace ids, padded and lower-cased, and refuses a malformed one", () => {
    expect(
      parseTraceIds(
        new URLSearchParams([
          ["traceID", "ABC"],
          ["traceID", "1,2"],
          ["traceID", "abc"],
        ]),
      ),
    ).toEqual(["abc".padStart(32, "0"), "1".padStart(32, "0"), "2".padStart(32, "0")]);
    expect(() => parseTraceIds(new URLSearchParams({ traceID: "xyz" }))).toThrow(AppError);
    expect(() => parseTraceIds(new URLSearchParams({ traceID: "a".repeat(33) }))).toThrow(AppError);
  });

  it("writes errors in Jaeger's envelope, which Jaeger UI prints", () => {
    expect(jaegerErrorBody(new AppError(400, "bad"))).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 400, msg: "bad" }],
    });
  });

  it("answers bad parameters with 400 and a message", () => {
    for (const p of [
      {},
      { service: "a", tags: "nope" },
      { service: "a", minDuration: "fast" },
      { service: "a", limit: "0" },
    ]) {
      expect(() => parseJaegerSearch(new URLSearchParams(p as Record<string, string>))).toThrow(AppError);
    }
  });
});

describe("Jaeger trace model", () => {
  it("gives references, typed tags, logs, one process per service and resource, and flags a missing parent", () => {
    const span = (spanId: string, parentSpanId: string | null, serviceName: string, extra = {}) => ({
      traceId: "ab".repeat(16),
      spanId,
      parentSpanId,
      serviceName,
      name: `op-${spanId}`,
      kind: 2,
      startNs: 1_000_000_000n,
      durationNs: 2_500_000n,
      statusCode: 0,
      statusMessage: null,
      attributes: {},
      resourceAttributes: { "service.name": serviceName, "host.name": "h1" },
      events: [],
      links: [],
      traceState: null,
      scopeName: null,
      scopeVersion: null,
      ...extra,
    });
    const trace = toJaegerTrace([
      span("1", null, "web", {
        attributes: { "http.status_code": 500, ratio: 0.5, ok: false, note: "<b>", blob: bytesValue("AAEC") },
        statusCode: 2,
        statusMessage: "boom",
        scopeName: "lib",
        scopeVersion: "1.2",
      }),
      span("2", "1", "api", {
        kind: 3,
        events: [{ timeUnixNano: "1000500000", name: "retry", attributes: { attempt: 2 } }],
        links: [{ traceId: "cd".repeat(16), spanId: "9" }],
      }),
      span("3", "gone", "api"),
    ]);
    expect(Object.values(trace.processes).map((p) => p.serviceName)).toEqual(["web", "api"]);
    expect(trace.processes.p1!.tags).toEqual([{ key: "host.name", type: "string", value: "h1" }]);
    const [a, b, c] = trace.spans;
    expect(a!.tags).toEqual([
      { key: "http.status_code", type: "int64", value: 500 },
      { key: "ratio", type: "float64", value: 0.5 },
      { key: "ok", type: "bool", value: false },
      { key: "note", type: "string", value: "<b>" },
      { key: "blob", type: "binary", value: "AAEC" },
      { key: "span.kind", type: "string", value: "server" },
      { key: "error", type: "bool", value: true },
      { key: "otel.status_code", type: "string", value: "ERROR" },
      { key: "otel.status_description", type: "string", value: "boom" },
      { key: "otel.scope.name", type: "string", value: "lib" },
      { key: "otel.scope.version", type: "string", value: "1.2" },
    ]);
    expect([a!.startTime, a!.duration]).toEqual([1_000_000, 2500]);
    expect(b!.references).toEqual([
      { refType: "CHILD_OF", traceID: "ab".repeat(16), spanID: "1" },
      { refType: "FOLLOWS_FROM", traceID: "cd".repeat(16), spanID: "9" },
    ]);
    expect(b!.logs).toEqual([
      {
        timestamp: 1_000_500,
        fields: [
          { key: "event", type: "string", value: "retry" },
          { key: "attempt", type: "int64", value: 2 },
        ],
      },
    ]);
    expect(b!.processID).toBe("p2");
    expect(c!.warnings).toEqual(["parent span not in this trace"]);
  });
});
