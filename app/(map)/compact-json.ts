// Server pages hand big read models to client components as one JSON string: React then passes the string through
// as is, where an object costs its serialiser (and the server-side render that decodes it again) a visit per value.

/** Significant digits kept for fractional numbers: far more than any figure the pages show or filter on. */
const DIGITS = 6;

/** JSON with fractional numbers cut to six significant digits (a rate of 0.0002777777777777778/s becomes 0.000277778). */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(DIGITS)) : v,
  );
}
