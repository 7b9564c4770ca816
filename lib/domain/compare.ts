// Map diff against a baseline period: the union of both graphs, each element marked and given its deltas.
export type DiffStatus = "added" | "removed" | "same";

export interface Diff {
  status: DiffStatus;
  /** Relative change of the request rate (0.5 = +50%); null when the baseline had none. */
  rateChange: number | null;
  /** Change of the error rate in percentage points. */
  errorRateDelta: number;
  /** Change of p95 in milliseconds (client side for edges); null when either side has none. */
  p95Delta: number | null;
}

interface Figures {
  id: string;
  requests: number;
  ratePerSec: number;
  errors: number;
  errorRate: number;
}

/** A shift back in time, or a custom window in epoch milliseconds. */
export type CompareMode = "prev" | "1d" | "7d" | { from: number; to: number };

/** `prev`, `1d`, `7d` or `<fromMs>~<toMs>`, as the URL holds it. */
export function parseCompare(v: string | undefined | null): CompareMode | null {
  if (v === "prev" || v === "1d" || v === "7d") return v;
  const m = /^(\d{10,16})~(\d{10,16})$/.exec(v ?? "");
  return m && Number(m[1]) < Number(m[2]) ? { from: Number(m[1]), to: Number(m[2]) } : null;
}

export const compareToParam = (c: CompareMode) => (typeof c === "string" ? c : `${c.from}~${c.to}`);

/** The baseline window for a window [from, to). */
export function baselineRange(from: number, to: number, mode: CompareMode): { from: number; to: number } {
  if (typeof mode === "object") return mode;
  const shift = mode === "prev" ? to - from : mode === "1d" ? 86_400_000 : 7 * 86_400_000;
  return { from: from - shift, to: to - shift };
}

function diffOf(cur: Figures | undefined, base: Figures | undefined, p95: (x: Figures) => number | null): Diff {
  const status: DiffStatus =
    !base || base.requests === 0
      ? cur && cur.requests > 0
        ? "added"
        : "same"
      : !cur || cur.requests === 0
        ? "removed"
        : "same";
  const curP = cur ? p95(cur) : null;
  const baseP = base ? p95(base) : null;
  return {
    status,
    rateChange: base && base.ratePerSec > 0 ? (cur?.ratePerSec ?? 0) / base.ratePerSec - 1 : null,
    errorRateDelta: ((cur?.errorRate ?? 0) - (base?.errorRate ?? 0)) * 100,
    p95Delta: curP !== null && baseP !== null ? curP - baseP : null,
  };
}

/**
 * Elements of `current`, plus the baseline's elements that have gone (with zero traffic), each with a diff.
 * `empty` makes the zero-traffic stand-in for a removed element.
 */
export function diffElements<T extends Figures>(
  current: T[],
  baseline: T[],
  p95: (x: T) => number | null,
  empty: (b: T) => T,
): (T & { diff: Diff })[] {
  const baseById = new Map(baseline.map((b) => [b.id, b]));
  const curIds = new Set(current.map((c) => c.id));
  const out = current.map((c) => ({ ...c, diff: diffOf(c, baseById.get(c.id), p95 as (x: Figures) => number | null) }));
  for (const b of baseline) {
    if (!curIds.has(b.id)) out.push({ ...empty(b), diff: diffOf(undefined, b, p95 as (x: Figures) => number | null) });
  }
  return out;
}

export function formatDiff(d: Diff, what: "rate" | "errors" | "p95"): string {
  if (d.status === "added") return "new";
  if (d.status === "removed") return "gone";
  if (what === "rate")
    return d.rateChange === null ? "" : `${d.rateChange >= 0 ? "+" : ""}${Math.round(d.rateChange * 100)}%`;
  if (what === "errors") return `${d.errorRateDelta >= 0 ? "+" : ""}${d.errorRateDelta.toFixed(1)} pp`;
  return d.p95Delta === null
    ? ""
    : `${d.p95Delta >= 0 ? "+" : ""}${Math.abs(d.p95Delta) >= 10 ? Math.round(d.p95Delta) : d.p95Delta.toFixed(1)} ms`;
}
