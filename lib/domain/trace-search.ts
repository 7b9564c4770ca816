// Trace search criteria, parsed from the /traces URL (one definition for the page and the API).
import { badRequest } from "../errors";
import { envsOf } from "../model/window";

export interface TraceSearch {
  from: string;
  to: string;
  service: string | null;
  operation: string | null;
  minMs: number | null;
  maxMs: number | null;
  status: "any" | "error" | "ok";
  /**
   * key=value filters that one span must all meet, each on its own attributes, its resource's, or the tags Jaeger
   * synthesizes from span fields (see synthesizedTag).
   */
  attributes: AttributeFilter[];
  /** Span kind number of the matching span (server 2, client 3, ...), or any. */
  kind: number | null;
  /** Deployment environments of the matching span's resource, as the map reads them ("" none); empty: any. */
  envs: string[];
  sort: TraceSort;
  /** 1-based page of PAGE_SIZE traces. */
  page: number;
}

export type TraceSort = "newest" | "longest" | "errors";
export const TRACE_SORTS: TraceSort[] = ["newest", "longest", "errors"];
export const PAGE_SIZE = 50;
export const SEARCH_KINDS = ["internal", "server", "client", "producer", "consumer"];

export interface AttributeFilter {
  key: string;
  value: string;
}

/** A span field that a Jaeger tag stands for: kind, status or scope. */
export type SynthesizedTag =
  | { field: "kind"; value: number }
  | { field: "statusCode"; value: number }
  | { field: "statusMessage" | "scopeName" | "scopeVersion"; value: string };

const KIND_TAGS: Record<string, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

/**
 * The span field a tag filter means when Jaeger derives that tag from the span instead of its attributes
 * (`span.kind`, `error`, `otel.status_code`, `otel.status_description`, `otel.scope.*`); null for ordinary keys and
 * for values the field never takes (the filter may still match an attribute of that name).
 */
export function synthesizedTag(f: AttributeFilter): SynthesizedTag | null {
  switch (f.key) {
    case "span.kind":
      return f.value in KIND_TAGS ? { field: "kind", value: KIND_TAGS[f.value]! } : null;
    case "error":
      return f.value === "true" ? { field: "statusCode", value: 2 } : null;
    case "otel.status_code":
      return f.value === "ERROR"
        ? { field: "statusCode", value: 2 }
        : f.value === "OK"
          ? { field: "statusCode", value: 1 }
          : null;
    case "otel.status_description":
      return { field: "statusMessage", value: f.value };
    case "otel.scope.name":
    case "otel.library.name":
      return { field: "scopeName", value: f.value };
    case "otel.scope.version":
    case "otel.library.version":
      return { field: "scopeVersion", value: f.value };
    default:
      return null;
  }
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

export function parseTraceSearch(params: Params): TraceSearch {
  const all = (k: string) => {
    const v = params instanceof URLSearchParams ? params.getAll(k) : params[k];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter((s) => s !== "");
  };
  const get = (k: string) => all(k)[0] ?? null;
  const ms = (k: string) => {
    const v = get(k);
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw badRequest(`${k} must be a non-negative number of milliseconds`);
    return n;
  };
  const attributes = all("attr").map((attr) => {
    const eq = attr.indexOf("=");
    if (eq <= 0) throw badRequest("attr must look like key=value");
    return { key: attr.slice(0, eq), value: attr.slice(eq + 1) };
  });
  const status = get("status");
  const kind = get("kind");
  if (kind !== null && !SEARCH_KINDS.includes(kind)) throw badRequest(`kind must be one of ${SEARCH_KINDS.join(", ")}`);
  const sort = get("sort") ?? "newest";
  if (!TRACE_SORTS.includes(sort as TraceSort)) throw badRequest(`sort must be one of ${TRACE_SORTS.join(", ")}`);
  const page = Number(get("page") ?? 1);
  if (!Number.isInteger(page) || page < 1 || page > 1000) throw badRequest("page must be an integer from 1 to 1000");
  return {
    kind: kind === null ? null : SEARCH_KINDS.indexOf(kind) + 1,
    envs: envsOf(all("env")),
    sort: sort as TraceSort,
    page,
    from: get("from") ?? "now-1h",
    to: get("to") ?? "now",
    service: get("service"),
    operation: get("operation"),
    minMs: ms("minMs"),
    maxMs: ms("maxMs"),
    status: status === "error" || status === "ok" ? status : "any",
    attributes,
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
