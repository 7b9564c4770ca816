// Tempo's service-graph metrics (the names and labels Grafana's service graph view queries), from our per-edge
// totals (pure). Counters are cumulative since the first span; latencies become Prometheus histograms.
import { bucketValueMs, type Histogram } from "../model/histogram";
import { dimensionLabels, type GraphSettings } from "./dimensions";

export interface EdgeCounterRow {
  source: string;
  target: string;
  connectionType: string;
  requests: number;
  failed: number;
  clientHist: Histogram;
  serverHist: Histogram;
  /** Node types; "" for counters kept before they were recorded. */
  sourceType?: string;
  targetType?: string;
  /** When the edge's counters began. */
  firstSeen?: Date;
  /** Configured extra dimensions' values (client_<key>, server_<key>). */
  dims?: Record<string, string>;
}

/** One exported series: an edge's counters summed over the rows that get the same labels. */
export interface SeriesRow extends EdgeCounterRow {
  labels: Record<string, string>;
}

const addHist = (into: Histogram, from: Histogram) => {
  for (const [b, w] of Object.entries(from)) into[b] = (into[b] ?? 0) + w;
};

/**
 * The series of the counters: Tempo's client, server and connection_type labels plus the configured dimensions'.
 * Rows that end up with the same labels (unprefixed dimensions, or rows kept under a dimension no longer
 * configured) are summed, since a scrape must not hold one label set twice. Input order is kept.
 */
export function seriesOf(rows: EdgeCounterRow[], settings: Pick<GraphSettings, "dimensions" | "clientServerPrefix">) {
  const byLabels = new Map<string, SeriesRow>();
  for (const r of rows) {
    const labels = {
      client: r.source,
      server: r.target,
      connection_type: tempoConnectionType(r),
      ...dimensionLabels(settings, r.dims ?? {}),
    };
    const key = JSON.stringify(labels);
    const seen = byLabels.get(key);
    if (!seen) {
      byLabels.set(key, { ...r, clientHist: { ...r.clientHist }, serverHist: { ...r.serverHist }, labels });
      continue;
    }
    seen.requests += r.requests;
    seen.failed += r.failed;
    addHist(seen.clientHist, r.clientHist);
    addHist(seen.serverHist, r.serverHist);
    if (r.firstSeen && (!seen.firstSeen || r.firstSeen < seen.firstSeen)) seen.firstSeen = r.firstSeen;
  }
  return [...byLabels.values()];
}

/**
 * Which edges get series under a limit of `max`: the first ones seen (ties by name), so the exported set never
 * changes as new edges come. Both parts keep the input's order.
 */
export function seriesWithin<R extends EdgeCounterRow>(rows: R[], max: number): { kept: R[]; dropped: R[] } {
  if (rows.length <= max) return { kept: rows, dropped: [] };
  const first = new Set(
    rows
      .map((r, i) => ({ i, t: r.firstSeen?.getTime() ?? 0 }))
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .slice(0, max)
      .map((x) => x.i),
  );
  return { kept: rows.filter((_, i) => first.has(i)), dropped: rows.filter((_, i) => !first.has(i)) };
}

/** Tempo's default histogram buckets, in seconds. */
export const TEMPO_BUCKETS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8];

/**
 * Tempo's connection_type label: empty for a direct call between two instrumented services, messaging_system for a
 * producer paired with its consumer, database for a database client call, virtual_node for an edge with a node
 * Tempo infers (a root's caller "user", an uninstrumented peer, a producer whose consumer never reported).
 */
export function tempoConnectionType(r: Pick<EdgeCounterRow, "connectionType" | "sourceType" | "targetType">): string {
  if (r.connectionType === "database") return "database";
  if (r.connectionType === "virtual" || r.sourceType === "user" || r.sourceType === "external") return "virtual_node";
  if (r.connectionType === "messaging")
    return r.targetType && r.targetType !== "service" ? "virtual_node" : "messaging_system";
  return r.connectionType === "rpc" ? "" : r.connectionType;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(12).replace(/\.?0+$/, ""));

export function serviceGraphMetrics(rows: SeriesRow[]): string {
  const out: string[] = [
    "# HELP traces_service_graph_request_total Total count of requests between two nodes (sampling-adjusted).",
    "# TYPE traces_service_graph_request_total counter",
  ];
  const base = (r: SeriesRow) => r.labels;
  for (const r of rows) out.push(`traces_service_graph_request_total${labels(base(r))} ${num(r.requests)}`);
  out.push(
    "# HELP traces_service_graph_request_failed_total Total count of failed requests between two nodes.",
    "# TYPE traces_service_graph_request_failed_total counter",
  );
  for (const r of rows) out.push(`traces_service_graph_request_failed_total${labels(base(r))} ${num(r.failed)}`);
  for (const side of ["client", "server"] as const) {
    const name = `traces_service_graph_request_${side}_seconds`;
    out.push(
      `# HELP ${name} Time for a request between two nodes as seen from the ${side}.`,
      `# TYPE ${name} histogram`,
    );
    for (const r of rows) {
      // A database reports no server span: Tempo takes the client's duration for the server side, so Grafana's
      // average latency (server seconds) exists for database edges too.
      const serverHist =
        r.connectionType === "database" && Object.keys(r.serverHist).length === 0 ? r.clientHist : r.serverHist;
      const hist = side === "client" ? r.clientHist : serverHist;
      const points = Object.entries(hist).map(([b, w]) => [bucketValueMs(Number(b)) / 1000, w] as const);
      const count = points.reduce((s, [, w]) => s + w, 0);
      if (count === 0) continue;
      for (const le of TEMPO_BUCKETS)
        out.push(
          `${name}_bucket${labels({ ...base(r), le: String(le) })} ${num(points.filter(([v]) => v <= le).reduce((s, [, w]) => s + w, 0))}`,
        );
      out.push(`${name}_bucket${labels({ ...base(r), le: "+Inf" })} ${num(count)}`);
      out.push(`${name}_sum${labels(base(r))} ${num(points.reduce((s, [v, w]) => s + v * w, 0))}`);
      out.push(`${name}_count${labels(base(r))} ${num(count)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** The edges over the series limit: how many, and their requests (a counter: later edges only ever join them). */
export function droppedEdgesMetricText(dropped: EdgeCounterRow[]): string {
  return [
    "# HELP tracemap_service_graph_dropped_edges Edges without their own series: over MAX_GRAPH_EDGES.",
    "# TYPE tracemap_service_graph_dropped_edges gauge",
    `tracemap_service_graph_dropped_edges ${dropped.length}`,
    "# HELP tracemap_service_graph_dropped_requests_total Requests of the edges without their own series.",
    "# TYPE tracemap_service_graph_dropped_requests_total counter",
    `tracemap_service_graph_dropped_requests_total ${num(dropped.reduce((s, r) => s + r.requests, 0))}`,
    "",
  ].join("\n");
}
