// How a node or edge is doing right now, against how it usually does (pure). One rule for the map's colours, the
// "what changed" list and the API, so they never disagree.

/** Figures of one node or edge over a short window: the recent minutes or the baseline. */
export interface RecentFigures {
  requests: number;
  ratePerSec: number;
  errorRate: number;
  /** p95 latency in ms as the caller saw it (edges: client side, else server side; nodes: their server spans). */
  p95: number | null;
}

export type Health = "failing" | "slow" | "ok" | "idle" | "new";

/** When a state applies. Defaults: README "Health"; each can be set by an environment variable (lib/config.ts). */
export interface HealthThresholds {
  /** Failing: the recent error rate is at least this... */
  errorRate: number;
  /** ...and at least this many times the baseline's (plus one percentage point, so 0% -> 1% is not "failing"). */
  errorRatio: number;
  /** Slow: the recent p95 is at least this many times the baseline's p95... */
  slowRatio: number;
  /** ...and at least this many ms above it (so 2 ms -> 4 ms is not "slow"). */
  slowMinMs: number;
  /** Fewer recent requests than this say too little for failing or slow. */
  minRequests: number;
}

export const defaultHealthThresholds: HealthThresholds = {
  errorRate: 0.05,
  errorRatio: 2,
  slowRatio: 1.5,
  slowMinMs: 50,
  minRequests: 5,
};

/**
 * failing: recent errors high and well above the baseline's; slow: recent p95 well above the baseline's; idle: no
 * recent traffic; new: recent traffic but none in the baseline; ok: otherwise. Errors win over latency.
 */
export function healthOf(
  recent: RecentFigures,
  baseline: RecentFigures,
  t: HealthThresholds = defaultHealthThresholds,
): Health {
  if (recent.requests <= 0) return "idle";
  if (baseline.requests <= 0) return "new";
  if (
    recent.requests >= t.minRequests &&
    recent.errorRate >= t.errorRate &&
    recent.errorRate >= baseline.errorRate * t.errorRatio + 0.01
  ) {
    return "failing";
  }
  if (
    recent.requests >= t.minRequests &&
    recent.p95 !== null &&
    baseline.p95 !== null &&
    recent.p95 >= baseline.p95 * t.slowRatio &&
    recent.p95 - baseline.p95 >= t.slowMinMs
  ) {
    return "slow";
  }
  return "ok";
}

/** One way an element moved, with the figures behind it. */
export interface ChangeReason {
  metric: "errors" | "latency" | "rate" | "appeared" | "disappeared" | "version";
  now: number | string | null;
  baseline: number | string | null;
  score: number;
}

/** A node or edge that moved from its baseline: why, and a score to rank it by (higher: look first). */
export interface Change {
  kind: "node" | "edge";
  id: string;
  health: Health;
  score: number;
  /** The strongest reason first. */
  reasons: ChangeReason[];
  recent: RecentFigures;
  baseline: RecentFigures;
}

/**
 * How far one element moved from its baseline. Reasons are scored so that different metrics rank together: an
 * error-rate rise in percentage points, a p95 ratio above 1 x 10, a rate change as |log2 ratio| x 2, appearing or
 * disappearing 3, all weighted by traffic (log scale, full weight from ~1,000 requests); a new service.version
 * adds 5 to the element's score, since a deploy that coincides with a movement is the first suspect. Null when
 * nothing moved.
 */
export function changeOf(
  kind: Change["kind"],
  id: string,
  recent: RecentFigures,
  baseline: RecentFigures,
  health: Health,
  versions: { now: string | null; before: string | null } = { now: null, before: null },
): Change | null {
  const reasons: ChangeReason[] = [];
  const weight = Math.min(1, Math.log10(1 + Math.max(recent.requests, baseline.requests)) / 3);
  if (recent.requests > 0 && baseline.requests <= 0)
    reasons.push({ metric: "appeared", now: recent.ratePerSec, baseline: 0, score: 3 * weight });
  if (recent.requests <= 0 && baseline.requests > 0)
    reasons.push({ metric: "disappeared", now: 0, baseline: baseline.ratePerSec, score: 3 * weight });
  if (recent.requests > 0 && baseline.requests > 0) {
    const rise = recent.errorRate - baseline.errorRate;
    if (rise > 0.005)
      reasons.push({
        metric: "errors",
        now: recent.errorRate,
        baseline: baseline.errorRate,
        score: rise * 100 * weight,
      });
    if (recent.p95 !== null && baseline.p95 !== null && baseline.p95 > 0) {
      const ratio = recent.p95 / baseline.p95;
      if (ratio > 1.1 && recent.p95 - baseline.p95 >= 5)
        reasons.push({ metric: "latency", now: recent.p95, baseline: baseline.p95, score: (ratio - 1) * 10 * weight });
    }
    if (baseline.ratePerSec > 0 && recent.ratePerSec > 0) {
      const logRatio = Math.abs(Math.log2(recent.ratePerSec / baseline.ratePerSec));
      if (logRatio > 0.5)
        reasons.push({
          metric: "rate",
          now: recent.ratePerSec,
          baseline: baseline.ratePerSec,
          score: logRatio * 2 * weight,
        });
    }
  }
  const deployed = versions.now !== null && versions.now !== versions.before;
  if (deployed) reasons.push({ metric: "version", now: versions.now, baseline: versions.before, score: 5 });
  if (reasons.length === 0) return null;
  reasons.sort((a, b) => b.score - a.score);
  const moved = reasons.filter((r) => r.metric !== "version").reduce((m, r) => Math.max(m, r.score), 0);
  return { kind, id, health, score: moved + (deployed ? 5 : 0), reasons, recent, baseline };
}

const rise = (r: ChangeReason) =>
  typeof r.now === "number" && typeof r.baseline === "number" ? r.now - r.baseline : 0;

/**
 * Points the ranking at where a problem starts rather than everywhere it shows: errors and latency travel up a call
 * chain, so an edge A -> B (or a node B) whose rise is matched (80% or more) by one of B's own outgoing edges is
 * passed on, not the cause: its score for that metric is halved. A node is a sum of its edges, so its error and
 * latency scores count 0.9 of an edge's: between equals, the edge (which says who calls whom) comes first.
 */
export function pointAtCauses(
  changes: Change[],
  endpoints: ReadonlyMap<string, { source: string; target: string }>,
): Change[] {
  const outgoing = new Map<string, Change[]>();
  for (const c of changes) {
    const e = c.kind === "edge" ? endpoints.get(c.id) : undefined;
    if (e) outgoing.set(e.source, [...(outgoing.get(e.source) ?? []), c]);
  }
  const explained = (service: string, metric: ChangeReason["metric"], amount: number) =>
    (outgoing.get(service) ?? []).some((o) => o.reasons.some((r) => r.metric === metric && rise(r) >= 0.8 * amount));
  return changes.map((c) => {
    const from = c.kind === "edge" ? endpoints.get(c.id)?.target : c.id;
    const reasons = c.reasons
      .map((r) => {
        if (r.metric !== "errors" && r.metric !== "latency") return r;
        let score = r.score * (c.kind === "node" ? 0.9 : 1);
        if (from !== undefined && explained(from, r.metric, rise(r))) score *= 0.5;
        return { ...r, score };
      })
      .sort((a, b) => b.score - a.score);
    const deployed = reasons.some((r) => r.metric === "version");
    const moved = reasons.filter((r) => r.metric !== "version").reduce((m, r) => Math.max(m, r.score), 0);
    return { ...c, reasons, score: moved + (deployed ? 5 : 0) };
  });
}

/** Changes ranked, highest score first; ties by id so the order is stable. */
export function rankChanges(changes: Change[]): Change[] {
  return [...changes].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One reason as a reader says it, e.g. "p95 1.77 s (was 270 ms)" (pure; the map's "what changed" list). */
export function reasonText(
  r: ChangeReason,
  format: { ms: (x: number | null) => string; rate: (x: number) => string; percent: (x: number) => string },
): string {
  const num = (v: ChangeReason["now"]) => (typeof v === "number" ? v : null);
  switch (r.metric) {
    case "errors":
      return `errors ${format.percent(num(r.now) ?? 0)} (was ${format.percent(num(r.baseline) ?? 0)})`;
    case "latency":
      return `p95 ${format.ms(num(r.now))} (was ${format.ms(num(r.baseline))})`;
    case "rate":
      return `rate ${format.rate(num(r.now) ?? 0)} (was ${format.rate(num(r.baseline) ?? 0)})`;
    case "appeared":
      return `new, ${format.rate(num(r.now) ?? 0)}`;
    case "disappeared":
      return `gone (was ${format.rate(num(r.baseline) ?? 0)})`;
    case "version":
      return `new version ${String(r.now)}`;
  }
}
