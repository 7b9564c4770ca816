import { describe, expect, it } from "vitest";
import { decodeZipkinJson } from "../../lib/ingest/zipkin";
import type { Attributes } from "../../lib/model/span";

const base = {
  traceId: "463ac35c9f6413ad",
  id: "a2fb4a1d1a96d312",
  parentId: "0020000000000001",
  name: "get /api",
  timestamp: 1_700_000_000_123_456,
  duration: 2_500,
  localEndpoint: { serviceName: "frontend", ipv4: "10.0.0.1" },
};

describe("Zipkin v2 decoder", () => {
  it("maps ids, kind, microsecond times, endpoints, tags and annotations", () => {
    const [g] = decodeZipkinJson([
      {
        ...base,
        kind: "CLIENT",
        remoteEndpoint: { serviceName: "backend", ipv4: "10.0.0.2", port: 8080 },
        tags: { "http.method": "GET", error: "connection reset" },
        annotations: [{ timestamp: 1_700_000_000_124_000, value: "ws" }],
      },
    ]);
    const s = g!.scopes[0]!.spans[0]!;
    expect(g!.resource).toEqual({ "service.name": "frontend" });
    expect(s.traceId.toString("hex")).toBe("0000000000000000463ac35c9f6413ad");
    expect(s.spanId.toString("hex")).toBe("a2fb4a1d1a96d312");
    expect(s.parentSpanId.toString("hex")).toBe("0020000000000001");
    expect(s.kind).toBe(3);
    expect(s.startNs).toBe(1_700_000_000_123_456_000n);
    expect(s.endNs - s.startNs).toBe(2_500_000n);
    expect(s.attributes).toEqual({
      "http.method": "GET",
      error: "connection reset",
      "peer.service": "backend",
      "network.peer.address": "10.0.0.2",
      "network.peer.port": 8080,
    });
    expect(s.statusCode).toBe(2);
    expect(s.statusMessage).toBe("connection reset");
    expect(s.events).toEqual([{ timeUnixNano: "1700000000124000000", name: "ws", attributes: {} }]);
  });

  it("keeps 128-bit trace ids, marks shared server spans, defaults to INTERNAL", () => {
    const spans = decodeZipkinJson([
      { ...base, traceId: "5af7183fb1d4cf5f463ac35c9f6413ad", kind: "SERVER", shared: true },
      { ...base },
    ]).map((g) => g.scopes[0]!.spans[0]!);
    expect(spans[0]!.traceId.toString("hex")).toBe("5af7183fb1d4cf5f463ac35c9f6413ad");
    expect(spans[0]!.kind).toBe(2);
    expect((spans[0]!.attributes as Attributes)["zipkin.shared"]).toBe(true); // JSON decoders give objects
    expect(spans[1]!.kind).toBe(1);
  });

  it("reads otel.status_code and flags malformed spans", () => {
    const [ok, bad] = decodeZipkinJson([
      { ...base, tags: { "otel.status_code": "OK" } },
      { ...base, traceId: "abc", id: 7, kind: "SIDEWAYS", timestamp: -1 },
    ]).map((g) => g.scopes[0]!.spans[0]!);
    expect(ok!.statusCode).toBe(1);
    expect(bad!.problem).toContain("traceId must be 16 or 32 hex characters");
    expect(bad!.problem).toContain("id must be 16 hex characters");
    expect(bad!.problem).toContain("timestamp must be a non-negative number of microseconds");
    expect(bad!.problem).toContain("unknown kind SIDEWAYS");
  });

  it("rejects a body that is not an array", () => {
    expect(() => decodeZipkinJson({ spans: [] })).toThrow(/JSON array/);
  });
});
