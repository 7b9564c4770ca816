// Trace search criteria, parsed from the /traces URL (one definition for the page and the API).
import { badRequest } from "../errors";

export interface TraceSearch {
  from: string;
  to: string;
  service: string | null;
  operation: string | null;
  minMs: number | null;
  maxMs: number | null;
  status: "any" | "error" | "ok";
  /** key=value on span attributes. */
  attribute: { key: string; value: string } | null;
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

export function parseTraceSearch(params: Params): TraceSearch {
  const get = (k: string) => {
    const v = params instanceof URLSearchParams ? params.get(k) ?? undefined : params[k];
    const s = Array.isArray(v) ? v[0] : v;
    return s?.trim() ? s.trim() : null;
  };
  const ms = (k: string) => {
    const v = get(k);
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`${k} must be a non-negative number of milliseconds`);
    return n;
  };
  const attr = get("attr");
  const eq = attr ? attr.indexOf("=") : -1;
  if (attr && eq <= 0) throw badRequest("attr must look like key=value");
  const status = get("status");
  return {
    from: get("from") ?? "now-1h",
    to: get("to") ?? "now",
    service: get("service"),
    operation: get("operation"),
    minMs: ms("minMs"),
    maxMs: ms("maxMs"),
    status: status === "error" || status === "ok" ? status : "any",
    attribute: attr ? { key: attr.slice(0, eq), value: attr.slice(eq + 1) } : null,
  };
}

/** The values an attribute filter's text matches: the text itself, and the number or boolean when it reads as one. */
export function attributeCandidates(value: string): (string | number | boolean)[] {
  const out: (string | number | boolean)[] = [value];
  if (value !== "" && Number.isFinite(Number(value))) out.push(Number(value));
  if (value === "true" || value === "false") out.push(value === "true");
  return out;
}

/** Printable ASCII without quote or backslash: written as is inside a JSON string by every encoder we store from. */
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** Numbers whose JSON text is the same from JSON.stringify and from jsonb (no exponent: jsonb spells it out). */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Text that the stored attributes JSON of any span matching `a` contains: the quoted key, and the value's text that
 * every candidate (string, number, boolean) shares. Either spelling of a stored row has both: compact (`"k":v`, as the
 * collector stores it) or as jsonb printed it (`"k": v`, rows converted from jsonb). Scanning for them is several
 * times cheaper than parsing each row's attributes for the exact comparison, so the search skips most rows
 * first. Only said when certain: `value` null when some candidate's text could be spelled differently (jsonb writes
 * 1e+21 out, encoders may escape non-ASCII), null altogether for a key that an encoder may escape.
 */
export function attributeTextNeedles(a: { key: string; value: string }): { key: string; value: string | null } | null {
  if (!PLAIN.test(a.key)) return null;
  const key = JSON.stringify(a.key);
  const texts: string[] = [];
  for (const v of attributeCandidates(a.value)) {
    const text = typeof v === "string" ? (PLAIN.test(v) ? v : null) : String(v);
    if (text === null || (typeof v === "number" && !PLAIN_NUMBER.test(text))) return { key, value: null };
    texts.push(text);
  }
  // The number's text is shorter or equal ("2.50" -> 2.5, "0500" -> 500); it must lie inside every other text.
  const shortest = texts.reduce((x, y) => (y.length < x.length ? y : x));
  return { key, value: texts.every((t) => t.includes(shortest)) ? shortest : null };
}
