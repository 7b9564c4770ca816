import { describe, expect, it } from "vitest";
import { type ChunkSpan, decodeChunk, encodeChunk } from "../../lib/domain/trace-chunk";
import { addAttributeTokens, bloomMayMatch, buildBloom } from "../../lib/domain/chunk-bloom";
import { attributeMatches } from "../../lib/domain/span-match";

const span = (over: Partial<ChunkSpan> = {}): ChunkSpan => ({
  spanId: "00f067aa0ba902b7",
  parentSpanId: null,
  traceState: null,
  serviceName: "cart",
  name: "GET /cart",
  kind: 2,
  startNs: 1_796_459_713_001_234_567n,
  durationNs: 12_345_678n,
  statusCode: 0,
  statusMessage: null,
  scopeName: "@opentelemetry/instrumentation-http",
  scopeVersion: "0.57.0",
  resourceId: "0123456789abcdef0123456789abcdef",
  attributesText: '{"http.route":"/cart","n":5}',
  eventsText: "[]",
  linksText: "[]",
  ...over,
});

describe("trace chunks", () => {
  it("decode what was encoded, start times exact to the nanosecond", () => {
    const spans = [
      span(),
      span({
        spanId: "a1b2c3d4e5f60718",
        parentSpanId: "00f067aa0ba902b7",
        startNs: 1_796_459_713_001_234_999n,
        statusCode: 2,
        statusMessage: 'boom "quoted"\nnext line',
        // json text as a client may have sent it: line breaks between tokens, a duplicate key (the last wins)
        attributesText: '{\n  "k": "first",\n  "k": "<b>second</b>", "x": [1, {"y": null}]\n}',
        eventsText: '[{"timeUnixNano":"1","name":"e","attributes":{}}]',
        linksText: '[{"traceId":"ab","spanId":"cd","attributes":{"a":true}}]',
      }),
    ];
    const decoded = decodeChunk("4bf92f3577b34da6a3ce929d0e0e4736", encodeChunk(spans));
    expect(decoded).toHaveLength(2);
    expect(decoded[0]).toMatchObject({
      spanId: "00f067aa0ba902b7",
      startNs: spans[0]!.startNs,
      durationNs: 12_345_678n,
    });
    expect(decoded[1]!.startNs).toBe(1_796_459_713_001_234_999n);
    expect(decoded[1]!.statusMessage).toBe('boom "quoted"\nnext line');
    expect(decoded[1]!.attributes).toEqual({ k: "<b>second</b>", x: [1, { y: null }] });
    expect(decoded[1]!.links[0]!.attributes).toEqual({ a: true });
    expect(decoded[1]!.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("deflate ten similar spans into far fewer bytes than their text", () => {
    const attrs = (i: number) =>
      JSON.stringify({
        "db.system.name": "postgresql",
        "db.query.text": "SELECT id FROM items WHERE order_id = $1",
        i,
      });
    const spans = Array.from({ length: 10 }, (_, i) => span({ attributesText: attrs(i), startNs: 1000n + BigInt(i) }));
    const text = spans.reduce((n, s) => n + s.attributesText.length + 150, 0);
    expect(encodeChunk(spans).length).toBeLessThan(text / 5);
  });
});

describe("chunk attribute filter", () => {
  const tokens = new Set<string>();
  addAttributeTokens(tokens, { "app.tenant": "t3", "app.count": 5, "app.ratio": 0.5, flag: true, list: ["a"] });
  const bloom = buildBloom(tokens);

  it("never rules out a value the chunk holds, under every spelling a search accepts", () => {
    for (const [key, value] of [
      ["app.tenant", "t3"],
      ["app.count", "5"],
      ["app.count", "5.0"],
      ["app.ratio", "0.50"],
      ["flag", "true"],
    ])
      expect(bloomMayMatch(bloom, { key: key!, value: value! }), `${key}=${value}`).toBe(true);
  });

  it("rules out most values the chunk lacks", () => {
    const misses = Array.from({ length: 1000 }, (_, i) => bloomMayMatch(bloom, { key: "app.tenant", value: `x${i}` }));
    expect(misses.filter(Boolean).length).toBeLessThan(100);
    // Long values are not in the filter: a search for one always reads the chunk.
    const query = "SELECT id, sku, qty, price FROM order_items WHERE order_id = $1";
    const long = new Set<string>();
    addAttributeTokens(long, { "db.query.text": query });
    expect(bloomMayMatch(buildBloom(long), { key: "db.query.text", value: query })).toBe(true);
    // An array is not a scalar value: like jsonb, "a" does not match ["a"].
    expect(attributeMatches({ list: ["a"] }, { key: "list", value: "a" })).toBe(false);
  });
});
