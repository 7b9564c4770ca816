import { describe, expect, it } from "vitest";
import { waterfallRows, type TraceSpanInput } from "../../lib/domain/trace-tree";

const span = (
  spanId: string,
  parentSpanId: string | null,
  startNs: number,
  over: Partial<TraceSpanInput> = {},
): TraceSpanInput => ({
  spanId,
  parentSpanId,
  serviceName: "svc",
  name: spanId,
  kind: 1,
  startNs: BigInt(startNs),
  durationNs: 1_000_000n,
  statusCode: 0,
  statusMessage: null,
  attributes: {},
  ...over,
});

describe("waterfall order", () => {
  it("nests children under parents in start order with offsets from the earliest span", () => {
    const rows = waterfallRows([
      span("a", null, 1_000_000),
      span("c", "a", 3_000_000),
      span("b", "a", 2_000_000),
      span("d", "b", 2_500_000),
    ]);
    expect(rows.map((r) => [r.spanId, r.depth, r.offsetMs])).toEqual([
      ["a", 0, 0],
      ["b", 1, 1],
      ["d", 2, 1.5],
      ["c", 1, 2],
    ]);
  });

  it("shows spans with a missing parent as flagged roots and keeps cycles visible", () => {
    const rows = waterfallRows([span("x", "gone", 0), span("p", "q", 1), span("q", "p", 2)]);
    expect(rows.find((r) => r.spanId === "x")).toMatchObject({ depth: 0, orphan: true });
    expect(rows.map((r) => r.spanId).sort()).toEqual(["p", "q", "x"]);
  });

  it("lists Zipkin shared client/server halves once each without repeating their children", () => {
    const rows = waterfallRows([
      span("r", null, 0),
      span("s", "r", 1, { kind: 3 }),
      span("s", "r", 2, { kind: 2 }),
      span("k", "s", 3),
    ]);
    expect(rows.map((r) => r.spanId)).toEqual(["r", "s", "k", "s"]);
  });

  it("renders attribute values as strings", () => {
    const [row] = waterfallRows([
      span("a", null, 0, { attributes: { n: 1, s: "<b>", arr: [1, 2], b: { bytesValue: "AAEC" } } }),
    ]);
    expect(row!.attributes).toEqual([
      ["n", "1"],
      ["s", "<b>"],
      ["arr", "[1,2]"],
      ["b", "bytes (base64) AAEC"],
    ]);
  });
});

describe("peers of calls", () => {
  it("labels client and producer spans with whom they call: the callee's service, else the peer their attributes name", () => {
    const rows = waterfallRows([
      span("a", null, 0, { serviceName: "orders", kind: 2 }),
      span("b", "a", 1, { serviceName: "orders", kind: 3 }),
      span("c", "b", 2, { serviceName: "payments", kind: 2 }),
      span("d", "a", 3, { serviceName: "orders", kind: 3, attributes: { "peer.service": "payment-gateway" } }),
      span("e", "a", 4, { serviceName: "orders", kind: 4, attributes: { "messaging.system": "kafka" } }),
      span("f", "a", 5, { serviceName: "orders", kind: 3 }),
      span("g", "a", 6, { serviceName: "orders", kind: 1, attributes: { "peer.service": "x" } }),
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.spanId, r.peer]))).toEqual({
      a: null,
      b: "payments",
      c: null,
      d: "payment-gateway",
      e: "kafka",
      f: null,
      g: null,
    });
  });
});
