// The service map's whole view state, kept in the URL: parsed by the server page, the API and the client alike.
import { compareToParam, parseCompare, type CompareMode } from "@/lib/domain/compare";
import { MAX_RANGE_MS } from "@/lib/model/window";

export const LABEL_MODES = ["rate", "errors", "p50", "p95", "p99", "none"] as const;
export type LabelMode = (typeof LABEL_MODES)[number];
export type LatencySide = "client" | "server";

export interface Selection {
  kind: "edge" | "node";
  id: string;
}

export interface MapState {
  from: string;
  to: string;
  /** Auto-refresh; only meaningful while `to` is relative to now. */
  live: boolean;
  /** Seconds between refreshes while live (one of REFRESH_CHOICES). */
  refresh: number;
  labels: LabelMode;
  side: LatencySide;
  search: string;
  hideVirtual: boolean;
  hideUnknown: boolean;
  /** Hide nodes with no calls in the window (only seen as callers' targets before). */
  hideIdle: boolean;
  errorsOnly: boolean;
  /** Edges below this many requests per second are hidden. */
  minRate: number;
  focus: string | null;
  hops: number;
  selected: Selection | null;
  pins: Record<string, { x: number; y: number }>;
  view: "graph" | "table";
  /** Baseline to compare with: previous period, a day or a week earlier, or a custom window. */
  compare: CompareMode | null;
  /** Draw service.namespace groups as boxes; `collapsed` ones as single nodes. */
  group: boolean;
  collapsed: string[];
  /** Zoom and pan as the viewer left them; null: fitted to the map. */
  viewport: Viewport | null;
  /** Deployment environments shown ("(none)" for spans without one); empty: all. */
  envs: string[];
  /** Values of configured extra dimensions that must hold (`dim=key:value`); empty: no filter. */
  dims: Record<string, string>;
  /** Group boxes by this configured dimension instead of service.namespace ("": namespace). */
  groupBy: string;
}

export interface Viewport {
  zoom: number;
  x: number;
  y: number;
}

export const DEFAULT_MAP_STATE: MapState = {
  from: "now-15m",
  to: "now",
  live: true,
  refresh: 10,
  labels: "rate",
  side: "client",
  search: "",
  hideVirtual: false,
  hideUnknown: false,
  hideIdle: false,
  errorsOnly: false,
  minRate: 0,
  focus: null,
  hops: 1,
  selected: null,
  pins: {},
  view: "graph",
  compare: null,
  group: false,
  collapsed: [],
  viewport: null,
  envs: [],
  dims: {},
  groupBy: "",
};

export const REFRESH_CHOICES = [5, 10, 30, 60, 300];

export const RELATIVE_RANGES = ["now-5m", "now-15m", "now-1h", "now-6h", "now-24h", "now-7d"] as const;

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function getter(params: Params): (k: string) => string | undefined {
  if (params instanceof URLSearchParams) return (k) => params.get(k) ?? undefined;
  return (k) => {
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
}

export const TIME = /^(now(-\d+[smhdw])?|\d{10,16}|\d{4}-\d{2}-\d{2}[0-9T:.+\-Z]*)$/;

function allValues(params: Params, k: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(k);
  const v = params[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The `dim=key:value` parameters of a page's URL (at most 10; unreadable ones are left out): the map's and the
 * service page's. */
export const parseDimParams = (params: Params) => parseDims(allValues(params, "dim"));

function parseDims(values: string[]): Record<string, string> {
  const dims: Record<string, string> = {};
  for (const raw of values.slice(0, 10)) {
    const at = raw.indexOf(":");
    if (at > 0 && raw.length <= 200) dims[raw.slice(0, at)] = raw.slice(at + 1);
  }
  return dims;
}

/** Never throws: anything unreadable falls back to the default, so an edited link still opens. */
export function parseMapState(params: Params): MapState {
  const get = getter(params);
  const d = DEFAULT_MAP_STATE;
  const bool = (k: string, def: boolean) => (get(k) === undefined ? def : get(k) === "1");
  const num = (k: string, def: number, min: number, max: number) => {
    const n = Number(get(k));
    return get(k) !== undefined && Number.isFinite(n) ? Math.min(Math.max(n, min), max) : def;
  };
  const from = get("from");
  const to = get("to");
  const labels = get("labels");
  const sel = get("sel");
  const selMatch = sel ? /^(edge|node):(.+)$/.exec(sel) : null;
  return {
    from: from && TIME.test(from) ? from : d.from,
    to: to && TIME.test(to) ? to : d.to,
    live: bool("live", d.live),
    refresh: REFRESH_CHOICES.includes(Number(get("refresh"))) ? Number(get("refresh")) : d.refresh,
    labels: (LABEL_MODES as readonly string[]).includes(labels ?? "") ? (labels as LabelMode) : d.labels,
    side: get("side") === "server" ? "server" : "client",
    search: (get("q") ?? "").slice(0, 200),
    hideVirtual: bool("hideVirtual", d.hideVirtual),
    hideUnknown: bool("hideUnknown", d.hideUnknown),
    hideIdle: bool("hideIdle", d.hideIdle),
    errorsOnly: bool("errorsOnly", d.errorsOnly),
    minRate: num("minRate", d.minRate, 0, 1e9),
    focus: get("focus") || null,
    hops: Math.round(num("hops", d.hops, 1, 10)),
    selected: selMatch ? { kind: selMatch[1] as "edge" | "node", id: selMatch[2]! } : null,
    pins: parsePins(get("pins") ?? ""),
    view: get("view") === "table" ? "table" : "graph",
    compare: parseCompare(get("cmp")),
    group: bool("group", d.group),
    collapsed: (get("collapsed") ?? "").split(",").filter(Boolean).sort(),
    viewport: parseViewport(get("vp") ?? ""),
    envs: [
      ...new Set(
        (get("env") ?? "")
          .split(",")
          .map((e) => e.trim().slice(0, 100))
          .filter(Boolean),
      ),
    ].slice(0, 20),
    dims: parseDimParams(params),
    groupBy: (get("groupBy") ?? "").slice(0, 100),
  };
}

/** `vp=zoom,x,y` (pan in pixels); anything else (or a zoom outside the map's limits) is no viewport. */
function parseViewport(raw: string): Viewport | null {
  const m = /^(\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(raw);
  if (!m) return null;
  const v = { zoom: Number(m[1]), x: Number(m[2]), y: Number(m[3]) };
  return v.zoom >= 0.1 && v.zoom <= 4 && Math.abs(v.x) < 1e6 && Math.abs(v.y) < 1e6 ? v : null;
}

function parsePins(raw: string): MapState["pins"] {
  const pins: MapState["pins"] = {};
  for (const part of raw.split(";")) {
    const m = /^(.+):(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(part);
    if (m) pins[m[1]!] = { x: Number(m[2]), y: Number(m[3]) };
  }
  return pins;
}

/** Only what differs from the defaults, in a fixed order, so equal states give equal links. */
export function mapStateToParams(s: MapState): URLSearchParams {
  const d = DEFAULT_MAP_STATE;
  const p = new URLSearchParams();
  if (s.from !== d.from) p.set("from", s.from);
  if (s.to !== d.to) p.set("to", s.to);
  if (s.live !== d.live) p.set("live", s.live ? "1" : "0");
  if (s.refresh !== d.refresh) p.set("refresh", String(s.refresh));
  if (s.labels !== d.labels) p.set("labels", s.labels);
  if (s.side !== d.side) p.set("side", s.side);
  if (s.search) p.set("q", s.search);
  if (s.hideVirtual) p.set("hideVirtual", "1");
  if (s.hideUnknown) p.set("hideUnknown", "1");
  if (s.hideIdle) p.set("hideIdle", "1");
  if (s.errorsOnly) p.set("errorsOnly", "1");
  if (s.minRate > 0) p.set("minRate", String(s.minRate));
  if (s.focus) p.set("focus", s.focus);
  if (s.focus && s.hops !== d.hops) p.set("hops", String(s.hops));
  if (s.selected) p.set("sel", `${s.selected.kind}:${s.selected.id}`);
  const pins = Object.entries(s.pins).sort(([a], [b]) => a.localeCompare(b));
  if (pins.length) p.set("pins", pins.map(([n, { x, y }]) => `${n}:${Math.round(x)},${Math.round(y)}`).join(";"));
  if (s.view !== d.view) p.set("view", s.view);
  if (s.compare) p.set("cmp", compareToParam(s.compare));
  if (s.group) p.set("group", "1");
  if (s.group && s.collapsed.length) p.set("collapsed", [...s.collapsed].sort().join(","));
  if (s.group && s.groupBy) p.set("groupBy", s.groupBy);
  if (s.envs.length) p.set("env", s.envs.join(","));
  for (const [k, v] of Object.entries(s.dims).sort(([a], [b]) => a.localeCompare(b))) p.append("dim", `${k}:${v}`);
  if (s.viewport) p.set("vp", `${s.viewport.zoom.toFixed(3)},${Math.round(s.viewport.x)},${Math.round(s.viewport.y)}`);
  return p;
}

/** The same view with the time range made absolute, so a shared link shows the same window later. */
export function withAbsoluteRange(s: MapState, resolve: (t: string) => number): MapState {
  return {
    ...s,
    from: new Date(resolve(s.from)).toISOString(),
    to: new Date(resolve(s.to)).toISOString(),
    live: false,
  };
}

export const isLiveRange = (s: MapState) => s.to === "now" && s.live;

/** The window's parameters as parseWindow reads them: from, to, the environments and the dimension filter. */
export function rangeParams(s: Pick<MapState, "from" | "to"> & { envs?: string[]; dims?: Record<string, string> }) {
  const p = new URLSearchParams({ from: s.from, to: s.to, ...(s.envs?.length && { env: s.envs.join(",") }) });
  for (const [k, v] of Object.entries(s.dims ?? {})) p.append("dim", `${k}:${v}`);
  return p;
}

/** The window moved by its own length, earlier (-1) or later (+1); never past now. Absolute, so it stays put. */
export function shiftedWindow(
  fromMs: number,
  toMs: number,
  direction: -1 | 1,
  now: number,
): { from: string; to: string } {
  const length = toMs - fromMs;
  const to = Math.min(now, toMs + direction * length);
  return { from: new Date(to - length).toISOString(), to: new Date(to).toISOString() };
}

/** The window twice as long around the same middle (as Grafana's zoom out); a window ending now keeps ending now. */
export function zoomedOutWindow(s: Pick<MapState, "to">, fromMs: number, toMs: number, now: number) {
  const length = toMs - fromMs;
  const wider = Math.min(2 * length, MAX_RANGE_MS); // the longest window the API serves
  if (s.to === "now") return { from: `now-${Math.max(1, Math.round(wider / 60_000))}m`, to: "now" };
  const to = Math.min(now, toMs + (wider - length) / 2);
  return { from: new Date(to - wider).toISOString(), to: new Date(to).toISOString() };
}
