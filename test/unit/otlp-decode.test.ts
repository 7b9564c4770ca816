import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import protobuf from "protobufjs";
import { decodeExportTraceRequest, encodeExportResponse } from "../../lib/ingest/otlp-proto";
import { decodeOtlpJson } from "../../lib/ingest/otlp-json";
import { DecodeError, ProtoReader, ProtoWriter } from "../../lib/ingest/protobuf-reader";
import { WireAttributes } from "../../lib/ingest/otlp-attributes";
import type { RawResourceGroup } from "../../lib/ingest/normalize";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";

/** The protobuf decoder leaves span attributes as request bytes; as objects, for comparing with the JSON path. */
const withObjects = (groups: RawResourceGroup[]) =>
  groups.map((g) => ({
    ...g,
    scopes: g.scopes.map((sc) => ({
      ...sc,
      spans: sc.spans.map((s) => ({
        ...s,
        attributes: s.attributes instanceof WireAttributes ? s.attributes.toObject() : s.attributes,
      })),
    })),
  }));

describe("OTLP protobuf decoder", () => {
  it("reads what the OpenTelemetry serializer writes, identically to the JSON path", () => {
    const spans = sdkSpans("decoder", 3);
    const fromProto = decodeExportTraceRequest(protobufRequest(spans));
    const fromJson = decodeOtlpJson(jsonRequest(spans));
    expect(fromProto[0]!.scopes[0]!.spans[0]!.attributes).toBeInstanceOf(WireAttributes);
    expect(withObjects(fromProto)).toEqual(fromJson);
    const decoded = fromProto[0]!.scopes[0]!.spans;
    expect(decoded).toHaveLength(4);
    for (const [i, s] of spans.entries()) {
      const d = decoded[i]!;
      expect(d.traceId.toString("hex")).toBe(s.spanContext().traceId);
      expect(d.spanId.toString("hex")).toBe(s.spanContext().spanId);
      expect(d.name).toBe(s.name);
      const [sec, ns] = s.startTime;
      expect(d.startNs).toBe(BigInt(sec) * 1_000_000_000n + BigInt(ns));
    }
    expect(fromProto[0]!.resource["service.name"]).toBe("decoder");
  });

  it("keeps int64 attributes exact: numbers while safe, decimal strings beyond", () => {
    const kv = (key: string, intValue: bigint) =>
      new ProtoWriter().string(1, key).bytes(2, new ProtoWriter().int(3, intValue).finish()).finish();
    const resource = new ProtoWriter()
      .bytes(1, kv("small", -5n))
      .bytes(1, kv("big", 9_007_199_254_740_993n))
      .bytes(1, kv("min", -(2n ** 63n)))
      .finish();
    const req = new ProtoWriter().bytes(1, new ProtoWriter().bytes(1, resource).finish()).finish();
    expect(decodeExportTraceRequest(req)[0]!.resource).toEqual({
      small: -5,
      big: "9007199254740993",
      min: "-9223372036854775808",
    });
  });

  it("skips unknown fields of every wire type", () => {
    const withUnknown = Buffer.concat([
      Buffer.from([0x98, 0x06, 0x2a]), // field 99 varint
      Buffer.from([0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]), // field 100 fixed64
      Buffer.from([0xad, 0x06, 1, 2, 3, 4]), // field 101 fixed32
      protobufRequest(sdkSpans("unknown", 0)),
    ]);
    expect(decodeExportTraceRequest(withUnknown)[0]!.scopes[0]!.spans).toHaveLength(1);
  });

  it("fails with DecodeError on truncation, bad lengths and deep nesting", () => {
    const good = protobufRequest(sdkSpans("bad", 1));
    for (let cut = 1; cut < good.length; cut += 7) {
      expect(() => decodeExportTraceRequest(good.subarray(0, cut))).toThrow(DecodeError);
    }
    expect(() => decodeExportTraceRequest(Buffer.from([0x0a, 0xff, 0xff, 0x7f]))).toThrow(/runs past the end/);
    let nested = new ProtoWriter().string(1, "leaf").finish();
    for (let i = 0; i < 40; i++)
      nested = new ProtoWriter().bytes(5, new ProtoWriter().bytes(1, nested).finish()).finish();
    const kv = new ProtoWriter().string(1, "deep").bytes(2, nested).finish();
    const req = new ProtoWriter()
      .bytes(1, new ProtoWriter().bytes(1, new ProtoWriter().bytes(1, kv).finish()).finish())
      .finish();
    expect(() => decodeExportTraceRequest(req)).toThrow(/nested deeper than 16/);
  });

  it("encodes partial success that a protobuf reader reads back", () => {
    const r = new ProtoReader(encodeExportResponse(3, "three bad"));
    expect(r.tag()).toEqual([1, 2]);
    const p = r.sub();
    expect(p.tag()).toEqual([1, 0]);
    expect(p.uint32()).toBe(3);
    expect(p.tag()).toEqual([2, 2]);
    expect(p.string()).toBe("three bad");
    expect(encodeExportResponse(0, "")).toHaveLength(0);
  });
});

describe("OTLP JSON decoder", () => {
  it("accepts int64 as string or number, enum names, and ignores unknown fields", () => {
    const groups = decodeOtlpJson({
      futureField: true,
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeSpans: [
            {
              scope: { name: "lib", version: "2" },
              spans: [
                {
                  traceId: "5B8EFFF798038103D269B633813FC60C",
                  spanId: "EEE19B7EC3C1B174",
                  parentSpanId: "",
                  name: "op",
                  kind: "SPAN_KIND_CLIENT",
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  endTimeUnixNano: "1700000000000000123",
                  status: { code: "STATUS_CODE_ERROR", message: "x" },
                  unknown: { a: 1 },
                  attributes: [
                    { key: "i", value: { intValue: "42" } },
                    { key: "d", value: { doubleValue: 1.5 } },
                    { key: "b", value: { boolValue: true } },
                    { key: "arr", value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: "s" }] } } },
                    { key: "kv", value: { kvlistValue: { values: [{ key: "inner", value: { stringValue: "v" } }] } } },
                    { key: "__proto__", value: { stringValue: "just a key" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const span = groups[0]!.scopes[0]!.spans[0]!;
    expect(span.traceId.toString("hex")).toBe("5b8efff798038103d269b633813fc60c");
    expect(span.kind).toBe(3);
    expect(span.statusCode).toBe(2);
    expect(span.endNs - span.startNs).toBe(123n);
    expect(span.attributes).toEqual({
      i: 42,
      d: 1.5,
      b: true,
      arr: [1, "s"],
      kv: { inner: "v" },
      ["__proto__"]: "just a key",
    });
    expect(Object.keys(span.attributes)).toContain("__proto__");
    expect(groups[0]!.scopes[0]!.name).toBe("lib");
  });

  it("marks malformed spans instead of failing the request", () => {
    const [group] = decodeOtlpJson({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "xyz", startTimeUnixNano: "-1" }, "not a span"] }] }],
    });
    const [a, b] = group!.scopes[0]!.spans;
    expect(a!.problem).toMatch(/traceId is not a hex string; startTimeUnixNano must be an unsigned integer/);
    expect(b!.problem).toBe("span must be an object");
  });
});

describe("protobuf framing: varints bounded exactly", () => {
  const Request = protobuf
    .parse(readFileSync(path.join(import.meta.dirname, "../../bench/otlp-trace.proto"), "utf8"))
    .root.lookupType("bench.ExportTraceServiceRequest");
  // Field 1 (resourceSpans, length-delimited) whose length varint carries bits above 32: the low 32 bits are 0 or 3,
  // so a reader that wraps sees an empty or tiny message and answers 200. No message is 4 GiB: all are refused.
  const cases: [string, number[]][] = [
    ["length 2^32", [0x0a, 0x80, 0x80, 0x80, 0x80, 0x10]],
    ["length 2^32 + 3, then 3 bytes", [0x0a, 0x83, 0x80, 0x80, 0x80, 0x10, 0x12, 0x00, 0x00]],
    ["length with a 10-byte varint", [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    ["tag above 32 bits", [0x88, 0x80, 0x80, 0x80, 0x70, 0x00]],
  ];
  it.each(cases)("refuses %s", (_name, bytes) => {
    expect(() => decodeExportTraceRequest(Buffer.from(bytes))).toThrow(DecodeError);
  });

  it("refuses what protobufjs refuses: a wrapped length that runs into garbage", () => {
    const buf = Buffer.from(cases[1]![1]);
    expect(() => Request.decode(buf)).toThrow();
    expect(() => decodeExportTraceRequest(buf)).toThrow(/does not fit 32 bits/);
  });

  it("still reads a length written with redundant continuation bytes", () => {
    // 0 as a 2-byte varint (0x80 0x00) is valid protobuf: an empty resourceSpans entry.
    expect(decodeExportTraceRequest(Buffer.from([0x0a, 0x80, 0x00]))).toEqual([
      { resource: expect.any(Object), scopes: [] },
    ]);
    expect(Request.decode(Buffer.from([0x0a, 0x80, 0x00])).toJSON()).toEqual({ resourceSpans: [{}] });
  });
});
