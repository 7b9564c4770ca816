// The service page's URL state, one definition for the server page and its links.
import { parseDimParams, TIME } from "../(map)/url";

export interface ServiceViewState {
  from: string;
  to: string;
  /** Deployment environments, comma-separated as the map writes them; "" for all. */
  env?: string;
  /** Dimension filter as the map writes it: `key:value` per `dim` parameter. */
  dims?: string[];
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

export const SERVICE_DEFAULT_FROM = "now-1h";

/** Never throws: an unreadable time falls back to the last hour, so an edited link still opens. */
export function parseServiceViewState(params: Params): ServiceViewState {
  const get = (k: string) => {
    if (params instanceof URLSearchParams) return params.get(k) ?? undefined;
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const from = get("from");
  const to = get("to");
  const env = (get("env") ?? "").slice(0, 2000);
  const dims = Object.entries(parseDimParams(params)).map(([k, v]) => `${k}:${v}`);
  return {
    from: from && TIME.test(from) ? from : SERVICE_DEFAULT_FROM,
    to: to && TIME.test(to) ? to : "now",
    ...(env && { env }),
    ...(dims.length > 0 && { dims }),
  };
}

/** The window's parameters, as parseWindow reads them. */
export function windowParams(s: ServiceViewState): URLSearchParams {
  const p = new URLSearchParams({ from: s.from, to: s.to, ...(s.env && { env: s.env }) });
  for (const d of s.dims ?? []) p.append("dim", d);
  return p;
}

export const servicePath = (name: string, s: ServiceViewState) =>
  `/services/${encodeURIComponent(name)}?${windowParams(s)}`;

/** The map at the same window with a node or an edge selected. */
export function mapPath(s: ServiceViewState, sel: { kind: "node" | "edge"; id: string }): string {
  const p = windowParams(s);
  if (s.to !== "now") p.set("live", "0");
  p.set("sel", `${sel.kind}:${sel.id}`);
  return `/?${p}`;
}
