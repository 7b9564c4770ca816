import { describe, expect, it } from "vitest";
import { attributeCandidates, parseTraceSearch } from "../../lib/domain/trace-search";

describe("trace search criteria", () => {
  it("reads every field and defaults to the last hour", () => {
    expect(parseTraceSearch(new URLSearchParams("service=orders&operation=POST&minMs=100&maxMs=2000&status=error&attr=http.route%3D/a%3Db"))).toEqual({
      from: "now-1h", to: "now", service: "orders", operation: "POST", minMs: 100, maxMs: 2000, status: "error",
      attribute: { key: "http.route", value: "/a=b" },
    });
    expect(parseTraceSearch({ service: "", status: "weird" })).toMatchObject({ service: null, status: "any", attribute: null });
  });
  it("rejects malformed numbers and attributes with a 400", () => {
    expect(() => parseTraceSearch(new URLSearchParams("minMs=-3"))).toThrow(/minMs must be/);
    expect(() => parseTraceSearch(new URLSearchParams("attr=novalue"))).toThrow(/key=value/);
  });
  it("matches attribute values as text, number or boolean", () => {
    expect(attributeCandidates({ key: "code", value: "500" })).toEqual([{ code: "500" }, { code: 500 }]);
    expect(attributeCandidates({ key: "cached", value: "true" })).toEqual([{ cached: "true" }, { cached: true }]);
  });
});
