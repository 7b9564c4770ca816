import { describe, expect, it } from "vitest";
import {
  attributeCandidates,
  attributeTextNeedles,
  parseTraceSearch,
  synthesizedTag,
} from "../../lib/domain/trace-search";

describe("trace search criteria", () => {
  it("reads every field and defaults to the last hour", () => {
    expect(
      parseTraceSearch(
        new URLSearchParams(
          "service=orders&operation=POST&minMs=100&maxMs=2000&status=error&attr=http.route%3D/a%3Db&attr=k%3Dv&attr=&kind=client&sort=errors&page=3",
        ),
      ),
    ).toEqual({
      kind: 3,
      envs: [],
      sort: "errors",
      page: 3,
      from: "now-1h",
      to: "now",
      service: "orders",
      operation: "POST",
      minMs: 100,
      maxMs: 2000,
      status: "error",
      attributes: [
        { key: "http.route", value: "/a=b" },
        { key: "k", value: "v" },
      ],
    });
    expect(parseTraceSearch({ service: "", status: "weird" })).toMatchObject({
      service: null,
      status: "any",
      attributes: [],
    });
    // The map's environment filter carries over, read as the aggregator reads it (both attribute names, none).
    expect(parseTraceSearch({ env: "staging,(none)", attr: "k=v" })).toMatchObject({
      attributes: [{ key: "k", value: "v" }],
      envs: ["staging", ""],
    });
    expect(parseTraceSearch({ attr: ["a=1", "b=2"] }).attributes).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
  });
  it("knows the tags Jaeger derives from span fields", () => {
    expect(synthesizedTag({ key: "span.kind", value: "consumer" })).toEqual({ field: "kind", value: 5 });
    expect(synthesizedTag({ key: "error", value: "true" })).toEqual({ field: "statusCode", value: 2 });
    expect(synthesizedTag({ key: "otel.status_code", value: "OK" })).toEqual({ field: "statusCode", value: 1 });
    expect(synthesizedTag({ key: "otel.scope.name", value: "http" })).toEqual({ field: "scopeName", value: "http" });
    expect([
      synthesizedTag({ key: "span.kind", value: "up" }),
      synthesizedTag({ key: "error", value: "false" }),
      synthesizedTag({ key: "a", value: "1" }),
    ]).toEqual([null, null, null]);
  });
  it("rejects malformed numbers and attributes with a 400", () => {
    expect(() => parseTraceSearch(new URLSearchParams("minMs=-3"))).toThrow(/minMs must be/);
    expect(() => parseTraceSearch(new URLSearchParams("attr=novalue"))).toThrow(/key=value/);
    expect(() => parseTraceSearch(new URLSearchParams("kind=sideways"))).toThrow(/kind must be/);
    expect(() => parseTraceSearch(new URLSearchParams("sort=random"))).toThrow(/sort must be/);
    expect(() => parseTraceSearch(new URLSearchParams("page=0"))).toThrow(/page must be/);
    expect(parseTraceSearch({})).toMatchObject({ kind: null, sort: "newest", page: 1 });
  });
  it("matches attribute values as text, number or boolean", () => {
    expect(attributeCandidates("500")).toEqual(["500", 500]);
    expect(attributeCandidates("true")).toEqual(["true", true]);
  });
  it("finds text every matching stored span contains, compact or as jsonb printed it, and says nothing when unsure", () => {
    // As the collector stores attributes (JSON.stringify / our encoder) and as a row converted from jsonb reads.
    const compact = (o: Record<string, unknown>) => JSON.stringify(o);
    const spaced = (o: Record<string, unknown>) =>
      `{${Object.entries(o)
        .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(", ")}}`;
    const stored = (o: Record<string, unknown>) => [compact(o), spaced(o)];
    const contains = (text: string, n: { key: string; value: string | null }) =>
      text.includes(n.key) && (n.value === null || text.includes(n.value));
    const cases: [{ key: string; value: string }, Record<string, unknown>[]][] = [
      [{ key: "http.route", value: "/api/orders/{id}" }, [{ "http.route": "/api/orders/{id}", other: 1 }]],
      [{ key: "http.status_code", value: "500" }, [{ "http.status_code": 500 }, { "http.status_code": "500" }]],
      [{ key: "ratio", value: "2.50" }, [{ ratio: 2.5 }]],
      [{ key: "cached", value: "true" }, [{ cached: true }, { cached: "true" }]],
      [{ key: "empty", value: "" }, [{ empty: "" }]],
    ];
    for (const [filter, matching] of cases) {
      const needles = attributeTextNeedles(filter)!;
      expect(needles.value).not.toBeNull();
      for (const span of matching)
        for (const text of stored(span))
          expect(contains(text, needles), `${text} for ${JSON.stringify(filter)}`).toBe(true);
    }
    // And it does rule rows out: the key without the value, or the value without the key.
    const route = attributeTextNeedles({ key: "http.route", value: "/a/b" })!;
    expect(contains(compact({ "http.route": "/b" }), route)).toBe(false);
    expect(contains(spaced({ "url.path": "/a/b" }), route)).toBe(false);
    expect(attributeTextNeedles({ key: "code", value: "0500" })).toEqual({ key: '"code"', value: "500" });
    // Unsure: a key an encoder may escape; a value whose text may be spelled otherwise (jsonb writes 1e+21 out).
    expect(attributeTextNeedles({ key: 'a"b', value: "x" })).toBeNull();
    expect(attributeTextNeedles({ key: "n", value: "1e21" })).toEqual({ key: '"n"', value: null });
    expect(attributeTextNeedles({ key: "n", value: "5e2" })).toEqual({ key: '"n"', value: null }); // 500 is not in "5e2"
    expect(attributeTextNeedles({ key: "city", value: "Zürich" })).toEqual({ key: '"city"', value: null });
  });
});
