import { badRequest } from "../errors";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const MAX_RANGE_MS = 31 * 86_400_000;

/** The last millisecond of year 9999: later times have no ISO-8601 form, and Date cannot print them. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `ms` when it is a time Date and PostgreSQL can both hold (1970 to 9999), else a 400 naming the field. */
export function checkedTime(ms: number, field: string): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS)
    throw badRequest(`${field}: time out of range (1970 to 9999)`);
  return ms;
}

/** A time as the API accepts it: ISO-8601, epoch milliseconds, `now`, or `now-15m` (s, m, h, d, w). */
export function parseTime(value: string, now: number, field: string): number {
  const v = value.trim();
  if (v === "now") return now;
  const rel = /^now-(\d+)([smhdw])$/.exec(v);
  if (rel) return checkedTime(now - Number(rel[1]) * UNITS[rel[2]!]!, field);
  if (/^\d{10,16}$/.test(v)) return checkedTime(Number(v), field);
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return checkedTime(t, field);
  }
  throw badRequest(`${field}: expected ISO-8601, epoch milliseconds or now-<n><s|m|h|d|w>, got "${value}"`);
}

/** A duration such as `1m`, `5m`, `1h` or plain seconds. */
export function parseDuration(value: string, field: string): number {
  const m = /^(\d+)([smhdw]?)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw badRequest(`${field}: expected a duration like 60s, 5m or 1h, got "${value}"`);
  return Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1000);
}

export interface Window {
  from: Date;
  to: Date;
  /** Deployment environments to read ("" for spans without one); absent or empty: all of them. */
  envs?: readonly string[];
  /**
   * Configured extra dimensions that must hold (key -> value, see domain/dimensions.ts): an edge matches when its
   * caller or callee has the value, a service when it has it. Absent or empty: no filter.
   */
  dims?: Readonly<Record<string, string>>;
}

/** How an environment is written in URLs and shown: "" (spans that name none) is "(none)". */
export const NO_ENVIRONMENT = "(none)";
const MAX_ENVS = 20;

/** The `env` parameters (repeated, or comma-separated) as environment names; "(none)" stands for "". */
export function parseEnvs(params: URLSearchParams): string[] {
  return envsOf(params.getAll("env"));
}

/** `env` parameter values as environment names (see parseEnvs). */
export function envsOf(values: readonly string[]): string[] {
  const envs = [
    ...new Set(
      values
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    ),
  ];
  if (envs.length > MAX_ENVS) throw badRequest(`at most ${MAX_ENVS} env values`);
  if (envs.some((v) => v.length > 100)) throw badRequest("env: at most 100 characters");
  return envs.map((v) => (v === NO_ENVIRONMENT ? "" : v));
}

/** The `dim` parameters, each `key:value` (several allowed, all must hold), as a filter. */
export function parseDims(params: URLSearchParams): Record<string, string> {
  const filter: Record<string, string> = {};
  const values = params.getAll("dim").filter((v) => v.trim() !== "");
  if (values.length > 10) throw badRequest("at most 10 dim values");
  for (const raw of values) {
    const at = raw.indexOf(":");
    if (at <= 0) throw badRequest(`dim: expected key:value, got "${raw.slice(0, 100)}"`);
    if (raw.length > 200) throw badRequest("dim: at most 200 characters");
    filter[raw.slice(0, at)] = raw.slice(at + 1);
  }
  return filter;
}

export function parseWindow(params: URLSearchParams, now = Date.now(), defaultFrom = "now-15m"): Window {
  const from = parseTime(params.get("from") ?? defaultFrom, now, "from");
  const to = parseTime(params.get("to") ?? "now", now, "to");
  if (from >= to) throw badRequest("from must be before to");
  if (to - from > MAX_RANGE_MS) throw badRequest("time range longer than 31 days");
  const envs = parseEnvs(params);
  const dims = parseDims(params);
  return {
    from: new Date(from),
    to: new Date(to),
    ...(envs.length > 0 && { envs }),
    ...(Object.keys(dims).length > 0 && { dims }),
  };
}

/** Step for a series: the requested one, else one that gives at most ~120 points, never below a minute. */
export function seriesStep(range: Window, requested: string | null): number {
  const span = range.to.getTime() - range.from.getTime();
  const step = requested ? parseDuration(requested, "step") : Math.ceil(span / 120 / 60_000) * 60_000;
  if (step < 60_000) throw badRequest("step must be at least 1m (data is kept per minute)");
  if (span / step > 2000) throw badRequest("step too small for this range (more than 2000 points)");
  return step;
}

const HOUR = 3_600_000;

/**
 * How to read [from, to) from minute and hour roll-ups: whole hours from hour rows, the ragged ends from minute
 * rows. Empty ranges are [x, x).
 */
export function splitByHour(from: Date, to: Date): { head: [Date, Date]; hours: [Date, Date]; tail: [Date, Date] } {
  const h1 = Math.ceil(from.getTime() / HOUR) * HOUR;
  const h2 = Math.floor(to.getTime() / HOUR) * HOUR;
  if (h1 >= h2) return { head: [from, to], hours: [to, to], tail: [to, to] };
  return { head: [from, new Date(h1)], hours: [new Date(h1), new Date(h2)], tail: [new Date(h2), to] };
}

/** Windows at least this long are read from hour rows only (whole hours, widened outward). */
export const HOURLY_READ_MS = 12 * HOUR;

/**
 * The window the graph actually reads for [from, to): short windows exactly (minute rows at the ragged ends),
 * long ones widened to whole hours so only hour rows are read (a day of 3,000 edges is then 72,000 rows instead
 * of up to 450,000). `seconds` is the part of the read window the roll-ups cover, up to `settledMs` (the
 * aggregation watermark): rates divide by it, so the minutes not counted yet do not dilute them.
 */
export function readWindow(from: Date, to: Date, settledMs = Date.now()): { from: Date; to: Date; seconds: number } {
  const covered = (start: number, end: number) => Math.max((Math.min(end, settledMs) - start) / 1000, 1);
  // Minute rows count when their minute starts in the window: the data read starts and ends on whole minutes.
  const minute = (t: Date) => Math.ceil(t.getTime() / 60_000) * 60_000;
  if (to.getTime() - from.getTime() < HOURLY_READ_MS) return { from, to, seconds: covered(minute(from), minute(to)) };
  const f = Math.floor(from.getTime() / HOUR) * HOUR;
  const t = Math.ceil(to.getTime() / HOUR) * HOUR;
  return { from: new Date(f), to: new Date(t), seconds: covered(f, t) };
}

/**
 * How much of the step starting at `t` the roll-ups cover: 1 for settled steps, less for the one the watermark is
 * in, 0 after it. Points with less than 1 are partial: their counts are not final and must not be drawn as a drop.
 */
export function stepCoverage(t: number, stepMs: number, settledMs: number | null): number {
  if (settledMs === null) return 0;
  return Math.min(1, Math.max(0, (settledMs - t) / stepMs));
}

/** Requests per second over the counted part of a step (0 when nothing of it is counted yet). */
export const coveredRate = (requests: number, stepMs: number, coverage: number) =>
  coverage > 0 ? requests / ((stepMs * coverage) / 1000) : 0;
