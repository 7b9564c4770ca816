import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compactJson } from "../../app/(map)/compact-json";

describe("compact JSON for page props", () => {
  it("keeps integers, strings, nulls and structure, and fractions to six significant digits", () => {
    const value = {
      rate: 1 / 3600,
      p95: 50.11555912104815,
      n: 12345678901,
      s: "0.333333333333",
      none: null,
      list: [0.1 + 0.2, -2.5e-9],
    };
    const back = JSON.parse(compactJson(value)) as typeof value;
    expect(back).toEqual({
      rate: 0.000277778,
      p95: 50.1156,
      n: 12345678901,
      s: "0.333333333333",
      none: null,
      list: [0.3, -2.5e-9],
    });
    expect(compactJson(value).length).toBeLessThan(JSON.stringify(value).length);
  });

  it("moves a fraction by at most half a unit in its sixth digit (5 parts in a million)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const back = JSON.parse(compactJson({ x })).x as number;
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 5e-6);
      }),
    );
  });
});
