import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { waterfallRows, type TraceSpanInput } from "../../lib/domain/trace-tree";
import { traceRowsFromJson, traceRowsJson } from "../../app/traces/[traceId]/trace-wire";

const ids = ["a", "b", "c", "d", "e", "f"];
const text = fc.oneof(fc.constantFrom("svc", "GET /x", "", "<b>x</b>", "ключ"), fc.string({ maxLength: 6 }));
const attributes = fc.dictionary(
  text,
  fc.oneof(text, fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 })),
  { maxKeys: 3 },
);
const spanInput: fc.Arbitrary<TraceSpanInput> = fc.record({
  // Few ids: duplicates (Zipkin shared spans), cycles and missing parents all come up.
  spanId: fc.constantFrom(...ids),
  parentSpanId: fc.option(fc.constantFrom(...ids, "gone"), { nil: null }),
  serviceName: fc.constantFrom("checkout", "cart", "postgres"),
  name: text,
  kind: fc.integer({ min: 0, max: 6 }),
  startNs: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  durationNs: fc.bigInt({ min: 0n, max: 10n ** 10n }),
  statusCode: fc.integer({ min: 0, max: 2 }),
  statusMessage: fc.option(text, { nil: null }),
  attributes,
  resourceAttributes: fc.option(attributes, { nil: undefined }),
  events: fc.array(
    fc.record({ timeUnixNano: fc.bigInt({ min: 0n, max: 10n ** 12n }).map(String), name: text, attributes }),
    { maxLength: 2 },
  ),
  links: fc.array(fc.record({ traceId: fc.constant("ab".repeat(16)), spanId: fc.constantFrom(...ids) }), {
    maxLength: 2,
  }),
});

describe("packed trace rows", () => {
  it("unpack to exactly the rows that were packed", () => {
    fc.assert(
      fc.property(fc.array(spanInput, { minLength: 1, maxLength: 12 }), (spans) => {
        const rows = waterfallRows(spans);
        expect(traceRowsFromJson(traceRowsJson(rows))).toEqual(rows);
      }),
      { numRuns: 400 },
    );
  });

  it("keep orphans, roots and parent links apart", () => {
    const span = (spanId: string, parentSpanId: string | null): TraceSpanInput => ({
      spanId,
      parentSpanId,
      serviceName: "s",
      name: spanId,
      kind: 1,
      startNs: 0n,
      durationNs: 1n,
      statusCode: 0,
      statusMessage: null,
      attributes: {},
    });
    const rows = traceRowsFromJson(traceRowsJson(waterfallRows([span("r", null), span("c", "r"), span("o", "gone")])));
    expect(rows.map((r) => [r.spanId, r.parentSpanId, r.orphan])).toEqual([
      ["r", null, false],
      ["c", "r", false],
      ["o", "gone", true],
    ]);
  });

  it("are a fraction of the rows' JSON for a long trace of few services", () => {
    const spans: TraceSpanInput[] = Array.from({ length: 2000 }, (_, i) => ({
      spanId: i.toString(16).padStart(16, "0"),
      parentSpanId: i === 0 ? null : "0".repeat(16),
      serviceName: ["batch", "inventory", "pricing"][i % 3]!,
      name: `call ${["inventory", "pricing", "postgres"][i % 3]}`,
      kind: 3,
      startNs: BigInt(i) * 1000n,
      durationNs: 400_000n,
      statusCode: 0,
      statusMessage: null,
      attributes: { "peer.service": "postgres" },
      resourceAttributes: { "service.name": ["batch", "inventory", "pricing"][i % 3] },
    }));
    const rows = waterfallRows(spans);
    const packed = traceRowsJson(rows).length;
    expect(packed).toBeLessThan(JSON.stringify(rows).length / 4);
  });
});
