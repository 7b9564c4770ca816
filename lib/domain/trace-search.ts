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

/** The attribute filter as jsonb containment candidates: the text value, and the number when it reads as one. */
export function attributeCandidates(a: { key: string; value: string }): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ [a.key]: a.value }];
  if (a.value !== "" && Number.isFinite(Number(a.value))) out.push({ [a.key]: Number(a.value) });
  if (a.value === "true" || a.value === "false") out.push({ [a.key]: a.value === "true" });
  return out;
}
