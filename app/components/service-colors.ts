import { formatMs } from "./map-style";
// One colour per service, the same on every page (waterfall bars, trace map, search results). Paul Tol's "muted"
// and "bright" qualitative schemes: distinguishable with the common colour-vision deficiencies; red is left to errors,
// grey to virtual nodes and orange to the critical path.
const PALETTE = [
  "#332288",
  "#88CCEE",
  "#44AA99",
  "#117733",
  "#999933",
  "#DDCC77",
  "#AA4499",
  "#882255",
  "#4477AA",
  "#66CCEE",
  "#228833",
  "#CCBB44",
  "#AA3377",
  "#BBBBBB",
];

/** A stable colour for a service name (the same name always gets the same colour). */
export function serviceColor(service: string): string {
  let h = 2166136261;
  for (let i = 0; i < service.length; i++) h = Math.imul(h ^ service.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

/** Ticks for a time axis of `total` ms: 0 and four steps, as readable labels. */
export function rulerTicks(total: number): { at: number; label: string }[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => ({ at: f, label: formatDuration(total * f) }));
}

/** formatMs, down to microseconds for the short spans of a trace. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  return formatMs(ms);
}

/** A chart tooltip's value with its unit, from the series name: "req/s" rates, "%" shares, latencies otherwise. */
export function chartValue(value: unknown, name: unknown): string {
  const v = Number(value);
  if (value === null || value === undefined || !Number.isFinite(v)) return "—";
  const n = String(name);
  if (n.includes("/s")) return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}/s`;
  if (n.includes("%")) return `${v.toFixed(v < 1 ? 2 : 1)}%`;
  if (Array.isArray(value)) return value.map((x) => formatDuration(Number(x))).join(" – ");
  return formatDuration(v);
}
