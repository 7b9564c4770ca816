import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { ByteWriter } from "../../lib/domain/byte-writer";
import { encodeWireAttributes, WireAttributes } from "../../lib/ingest/otlp-attributes";
import { ValueCleaner, type ValueLimits } from "../../lib/ingest/limits";
import { DecodeError, ProtoWriter } from "../../lib/ingest/protobuf-reader";
import { normalize, type RawSpan } from "../../lib/ingest/normalize";
import { EncodedJson } from "../../lib/model/span";

// AnyValue messages as any OTLP sender could write them, including what the SDKs never produce.
const double = (v: number) => {
  const b = Buffer.alloc(9);
  b[0] = (4 << 3) | 1;
  b.writeDoubleLE(v, 1);
  return b;
};
const text = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom(
    "a\u0000b",
    'quote " and \\ backslash',
    "tab\tnew\nline\r",
    "\u007f",
    "x".repeat(40),
    "é".repeat(20),
    "😀".repeat(9),
  ),
);
const utf8Bytes = fc.oneof(
  text.map((s) => Buffer.from(s, "utf8")),
  fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), // often not valid UTF-8
);
const scalar: fc.Arbitrary<Buffer> = fc.oneof(
  utf8Bytes.map((b) => new ProtoWriter().bytes(1, b).finish()),
  fc.boolean().map((v) => Buffer.from([0x10, v ? 1 : 0])),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => new ProtoWriter().int(3, v).finish()),
  fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 5e-324)).map(double),
  fc.uint8Array({ maxLength: 12 }).map((a) => new ProtoWriter().bytes(7, Buffer.from(a)).finish()),
  fc.constant(Buffer.alloc(0)), // no value set
);
const anyValue: fc.Arbitrary<Buffer> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value") as fc.Arbitrary<Buffer>, { maxLength: 7 }).map((items) => {
      const arr = new ProtoWriter();
      for (const i of items) arr.bytes(1, i);
      return new ProtoWriter().bytes(5, arr.finish()).finish();
    }),
    fc
      .array(fc.tuple(fc.string({ maxLength: 6 }), tie("value") as fc.Arbitrary<Buffer>), { maxLength: 4 })
      .map((kvs) => {
        const list = new ProtoWriter();
        for (const [k, v] of kvs) list.bytes(1, new ProtoWriter().string(1, k).bytes(2, v).finish());
        return new ProtoWriter().bytes(6, list.finish()).finish();
      }),
    fc.tuple(scalar, scalar).map(([a, b]) => Buffer.concat([a, b])), // two values set: the last one counts
  ),
})).value;
// Unique keys: the wire path writes a repeated key twice (jsonb keeps the last), the object path once. No
// integer-like keys: a JS object lists them first, so over the attribute cap the object path keeps a different
// subset (the wire path keeps the sender's first ones).
const integerLike = (k: Buffer) => /^(0|[1-9]\d*)$/.test(k.toString("utf8"));
const keyValues = fc.uniqueArray(
  fc.tuple(
    utf8Bytes.filter((k) => !integerLike(k)),
    fc.option(anyValue),
  ),
  { maxLength: 12, selector: ([k]) => k.toString("utf8") },
);

/** The KeyValue messages laid out in one buffer after some unrelated bytes, with their ranges. */
function wire(kvs: [Buffer, Buffer | null][]): WireAttributes {
  const parts: Buffer[] = [Buffer.from([1, 2, 3])];
  const ranges: number[] = [];
  let at = 3;
  for (const [k, v] of kvs) {
    const w = new ProtoWriter().bytes(1, k);
    if (v) w.bytes(2, v);
    const kv = w.finish();
    parts.push(kv);
    ranges.push(at, at + kv.length);
    at += kv.length;
  }
  return new WireAttributes(Buffer.concat(parts), ranges);
}

describe("span attributes from wire bytes to stored JSON", () => {
  it("store what the object path stores, with the same repairs, cuts and counts", () => {
    fc.assert(
      fc.property(
        keyValues,
        fc.constantFrom<ValueLimits>(
          { maxValueBytes: 4096, maxAttributes: 128, maxEvents: 128 },
          { maxValueBytes: 16, maxAttributes: 5, maxEvents: 2 },
        ),
        (kvs, limits) => {
          const attrs = wire(kvs);
          const viaObjects = new ValueCleaner(limits);
          // What the object path stores is the JSON text of the cleaned object.
          const expected = JSON.parse(JSON.stringify(viaObjects.attributes(attrs.toObject())));
          const viaWire = new ValueCleaner(limits);
          const out = new ByteWriter(8); // tiny, so it grows while writing
          out.latin1("prefix");
          const encoded = encodeWireAttributes(out, attrs, viaWire);
          expect(isUtf8(encoded.bytes)).toBe(true);
          expect(encoded.bytes.includes(0)).toBe(false);
          expect(JSON.parse(encoded.bytes.toString("utf8"))).toEqual(expected);
          expect(encoded.toObject()).toEqual(expected);
          expect(viaWire.adjusted).toEqual(viaObjects.adjusted);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });

  it("fail with DecodeError on broken KeyValue bytes", () => {
    const broken = new WireAttributes(Buffer.from([0x0a, 0x05, 0x61]), [0, 3]); // key length runs past the end
    expect(() =>
      encodeWireAttributes(
        new ByteWriter(),
        broken,
        new ValueCleaner({ maxValueBytes: 10, maxAttributes: 10, maxEvents: 1 }),
      ),
    ).toThrow(DecodeError);
  });

  it("cost only their own span when broken: the others of the request are kept", () => {
    const now = 1_800_000_000_000_000_000n;
    const span = (id: number, attributes: WireAttributes): RawSpan => ({
      traceId: Buffer.alloc(16, 1),
      spanId: Buffer.alloc(8, id),
      parentSpanId: Buffer.alloc(0),
      traceState: "",
      name: "op",
      kind: 2,
      startNs: now - 1_000_000n,
      endNs: now,
      attributes,
      events: [],
      links: [],
      statusCode: 0,
      statusMessage: "",
    });
    const good = wire([[Buffer.from("http.route"), new ProtoWriter().bytes(1, Buffer.from("/a")).finish()]]);
    const broken = new WireAttributes(Buffer.from([0x0a, 0x05, 0x61]), [0, 3]);
    const batch = normalize(
      [
        {
          resource: { "service.name": "svc" },
          scopes: [{ name: "", version: "", spans: [span(1, good), span(2, broken), span(3, good)] }],
        },
      ],
      { maxAgeNs: 10n ** 18n, maxFutureNs: 10n ** 12n },
      now,
    );
    expect(batch.spans.map((s) => s.spanId[0])).toEqual([1, 3]);
    expect(batch.rejected).toEqual([
      { index: 1, code: "malformed", reason: expect.stringMatching(/^cannot decode attributes: /) },
    ]);
    expect(batch.spans[0]!.attributes).toBeInstanceOf(EncodedJson);
    expect((batch.spans[0]!.attributes as EncodedJson).toObject()).toEqual({ "http.route": "/a" });
  });
});
