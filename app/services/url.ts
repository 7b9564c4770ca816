// The service page's URL state, one definition for the server page and its links.
import { TIME } from "../(map)/url";

export interface ServiceViewState {
  from: string;
  to: string;
  /** Deployment environments, comma-separated as the map writes them; "" for all. */
  env?: string;
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
  return {
    from: from && TIME.test(from) ? from : SERVICE_DEFAULT_FROM,
    to: to && TIME.test(to) ? to : "now",
    ...(env && { env }),
  };
}

const windowParams = (s: ServiceViewState) => ({ from: s.from, to: s.to, ...(s.env && { env: s.env }) });

export const servicePath = (name: string, s: ServiceViewState) =>
  `/services/${encodeURIComponent(name)}?${new URLSearchParams(windowParams(s))}`;

/** The map at the same window with a node or an edge selected. */
export const mapPath = (s: ServiceViewState, sel: { kind: "node" | "edge"; id: string }) =>
  `/?${new URLSearchParams({ ...windowParams(s), ...(s.to === "now" ? {} : { live: "0" }), sel: `${sel.kind}:${sel.id}` })}`;
