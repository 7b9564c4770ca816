// Jaeger's metrics API (/api/metrics/{latencies,calls,errors}, what Jaeger UI's Monitor tab reads), computed from our
// per-minute service roll-ups (pure). Each point summarises the `ratePer` window that ends at it, like the
// Prometheus rate() queries Jaeger's own metrics reader runs.
import { badRequest } from "../errors";
import { quantilesMs, type Histogram } from "../model/histogram";
import { checkedTime, envsOf } from "../model/window";

export type MetricType = "latencies" | "calls" | "errors";

export interface MetricsQuery {
  services: string[];
  groupByOperation: boolean;
  /** OTel span kind numbers (Jaeger's default: server). */
  spanKinds: number[];
  endMs: number;
  lookbackMs: number;
  stepMs: number;
  ratePerMs: number;
  /** Latencies only, in (0, 1]. */
  quantile: number | null;
  /** Not Jaeger's: Tracemap's deployment environments (`env=`, as on the map); empty: all. */
  envs: string[];
}

const MINUTE = 60_000;
/** Minute roll-ups are kept for a week by default; longer windows would read nothing. */
const MAX_LOOKBACK_MS = 7 * 86_400_000;
const MAX_POINTS = 11_000;
const KINDS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

function millis(p: URLSearchParams, k: string, fallback: number): number {
  const v = p.get(k);
  if (v === null || v === "") return fallback;
  if (!/^\d+$/.test(v)) throw badRequest(`unable to parse param '${k}': expected integer milliseconds, got "${v}"`);
  return Number(v);
}

/** Parameters as Jaeger's query service takes them (see its docker-compose/monitor README). */
export function parseMetricsQuery(type: MetricType, p: URLSearchParams, now = Date.now()): MetricsQuery {
  const services = p
    .getAll("service")
    .flatMap((s) => s.split(","))
    .filter((s) => s !== "");
  if (services.length === 0)
    throw badRequest("unable to parse param 'service': please provide at least one service name");
  const group = (p.get("groupByOperation") ?? "").toLowerCase();
  if (!["", "1", "0", "t", "f", "true", "false"].includes(group))
    throw badRequest(`unable to parse param 'groupByOperation': "${group}"`);
  const kinds = p.getAll("spanKind").length > 0 ? p.getAll("spanKind") : ["server"];
  const spanKinds = kinds.map((k) => {
    if (!(k in KINDS)) throw badRequest(`unable to parse param 'spanKind': unsupported span kind: '${k}'`);
    return KINDS[k]!;
  });
  let quantile: number | null = null;
  if (type === "latencies") {
    quantile = Number(p.get("quantile"));
    if (!p.get("quantile") || !(quantile > 0 && quantile <= 1))
      throw badRequest("unable to parse param 'quantile': expected a number in (0, 1]");
  }
  const endMs = checkedTime(millis(p, "endTs", now), "endTs");
  const lookbackMs = millis(p, "lookback", 3_600_000);
  const stepMs = millis(p, "step", 5_000);
  const ratePerMs = millis(p, "ratePer", 600_000);
  if (lookbackMs <= 0 || lookbackMs > MAX_LOOKBACK_MS)
    throw badRequest("lookback must be from 1 ms to 7 days (minute roll-ups are kept a week)");
  if (stepMs <= 0 || lookbackMs / stepMs > MAX_POINTS)
    throw badRequest(`step too small for this lookback (more than ${MAX_POINTS} points)`);
  if (ratePerMs < MINUTE || ratePerMs > 86_400_000)
    throw badRequest("ratePer must be from 1 minute (data is kept per minute) to 1 day");
  return {
    services,
    groupByOperation: ["1", "t", "true"].includes(group),
    spanKinds,
    endMs,
    lookbackMs,
    stepMs,
    ratePerMs,
    quantile,
    envs: envsOf(p.getAll("env")),
  };
}

/** The minutes a query reads: [first, end) with the rate window before the first point. */
export function minutesRead(q: MetricsQuery): { from: Date; to: Date } {
  const first = q.endMs - q.lookbackMs;
  return { from: new Date(Math.floor((first - q.ratePerMs) / MINUTE) * MINUTE), to: new Date(q.endMs) };
}

/** One service (and operation) in one minute; operation '' is the whole service. */
export interface MinuteFigures {
  minuteMs: number;
  service: string;
  operation: string;
  requests: number;
  failed: number;
  hist: Histogram;
}

const NAMES: Record<MetricType, [string, string, string]> = {
  latencies: ["service_latencies", "service_operation_latencies", "quantile latency"],
  calls: ["service_call_rate", "service_operation_call_rate", "calls/sec"],
  errors: [
    "service_error_rate",
    "service_operation_error_rate",
    "error rate, computed as a fraction of errors/sec over calls/sec",
  ],
};

interface Point {
  gaugeValue: { doubleValue: number };
  timestamp: string;
}

/**
 * A MetricFamily as Jaeger returns it: one metric per service (or service and operation), a point every `step` up to
 * `endTs`. A point covers the `ratePer` window before it, in whole minutes, up to what the aggregation watermark
 * `settledMs` has passed, so minutes not counted yet never read as a drop. Points with nothing to
 * say (no calls for a latency or an error rate, no counted minute at all) are left out, not drawn as zero.
 */
export function metricFamily(type: MetricType, q: MetricsQuery, rows: MinuteFigures[], settledMs: number | null) {
  const [serviceName, operationName, what] = NAMES[type];
  const series = new Map<string, { labels: { name: string; value: string }[]; byMinute: Map<number, MinuteFigures> }>();
  for (const r of rows) {
    if (!q.services.includes(r.service) || (q.groupByOperation ? r.operation === "" : r.operation !== "")) continue;
    const key = `${r.service}\u0000${r.operation}`;
    let s = series.get(key);
    if (!s) {
      const labels = [
        { name: "service_name", value: r.service },
        ...(q.groupByOperation ? [{ name: "operation", value: r.operation }] : []),
      ];
      s = { labels, byMinute: new Map() };
      series.set(key, s);
    }
    s.byMinute.set(r.minuteMs, r);
  }
  const metrics = [...series.values()].map((s) => {
    const metricPoints: Point[] = [];
    for (let t = q.endMs - q.lookbackMs; t <= q.endMs; t += q.stepMs) {
      const lo = Math.floor((t - q.ratePerMs) / MINUTE) * MINUTE;
      const hi = Math.min(Math.floor(t / MINUTE), Math.floor((settledMs ?? lo) / MINUTE)) * MINUTE;
      const seconds = (hi - lo) / 1000;
      if (seconds <= 0) continue;
      let requests = 0;
      let failed = 0;
      const hist: Histogram = {};
      for (let m = lo; m < hi; m += MINUTE) {
        const r = s.byMinute.get(m);
        if (!r) continue;
        requests += r.requests;
        failed += r.failed;
        if (type === "latencies") for (const [b, w] of Object.entries(r.hist)) hist[b] = (hist[b] ?? 0) + w;
      }
      let value: number | null;
      if (type === "calls") value = requests / seconds;
      else if (type === "errors") value = requests > 0 ? failed / requests : null;
      else value = requests > 0 ? (quantilesMs(hist, [q.quantile!])[0] ?? null) : null;
      if (value !== null)
        metricPoints.push({ gaugeValue: { doubleValue: value }, timestamp: new Date(t).toISOString() });
    }
    return { labels: s.labels, metricPoints };
  });
  const prefix = type === "latencies" ? `${q.quantile}th ` : "";
  return {
    name: q.groupByOperation ? operationName : serviceName,
    type: "GAUGE",
    help: `${prefix}${what}, grouped by service${q.groupByOperation ? " & operation" : ""}`,
    metrics,
  };
}
