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

/** A latency histogram as Tempo exports it: cumulative counts at TEMPO_BUCKETS, then the total and the sum (s). */
export interface TempoHistogram {
  le: number[];
  count: number;
  sum: number;
}

/**
 * One exported series: an edge's counters summed over the rows that get the same labels. Histograms are already in
 * Tempo's buckets: a scrape of tens of thousands of edges holds a few numbers per edge, not their full histograms.
 */
export interface SeriesRow {
  labels: Record<string, string>;
  requests: number;
  failed: number;
  firstSeen?: Date;
  client: TempoHistogram | null;
  server: TempoHistogram | null;
}

/** A histogram in Tempo's buckets (null when empty). */
export function tempoHistogram(h: Histogram): TempoHistogram | null {
  const le = TEMPO_BUCKETS.map(() => 0);
  let count = 0;
  let sum = 0;
  for (const [b, w] of Object.entries(h)) {
    const seconds = bucketValueMs(Number(b)) / 1000;
    count += w;
    sum += seconds * w;
    for (let i = 0; i < TEMPO_BUCKETS.length; i++) if (seconds <= TEMPO_BUCKETS[i]!) le[i]! += w;
  }
  return count > 0 ? { le, count, sum } : null;
}

const addTempo = (a: TempoHistogram | null, b: TempoHistogram | null): TempoHistogram | null =>
  !a
    ? b && { ...b, le: [...b.le] }
    : !b
      ? a
      : { le: a.le.map((v, i) => v + b.le[i]!), count: a.count + b.count, sum: a.sum + b.sum };

/**
 * The series of the counters, built row by row (rows can come from a cursor): Tempo's client, server and
 * connection_type labels plus the configured dimensions'. Rows that end up with the same labels (unprefixed
 * dimensions, or rows kept under a dimension no longer configured) are summed, since a scrape must not hold one
 * label set twice. Series keep the order of their first row.
 */
export class SeriesBuilder {
  private readonly byLabels = new Map<string, SeriesRow>();
  constructor(private readonly settings: Pick<GraphSettings, "dimensions" | "clientServerPrefix">) {}

  add(r: EdgeCounterRow): void {
    const labels = {
      client: r.source,
      server: r.target,
      connection_type: tempoConnectionType(r),
      ...dimensionLabels(this.settings, r.dims ?? {}),
    };
    // A database reports no server span: Tempo takes the client's duration for the server side, so Grafana's
    // average latency (server seconds) exists for database edges too.
    const serverHist =
      r.connectionType === "database" && Object.keys(r.serverHist).length === 0 ? r.clientHist : r.serverHist;
    const row: SeriesRow = {
      labels,
      requests: r.requests,
      failed: r.failed,
      ...(r.firstSeen && { firstSeen: r.firstSeen }),
      client: tempoHistogram(r.clientHist),
      server: tempoHistogram(serverHist),
    };
    const key = JSON.stringify(labels);
    const seen = this.byLabels.get(key);
    if (!seen) return void this.byLabels.set(key, row);
    seen.requests += row.requests;
    seen.failed += row.failed;
    seen.client = addTempo(seen.client, row.client);
    seen.server = addTempo(seen.server, row.server);
    if (row.firstSeen && (!seen.firstSeen || row.firstSeen < seen.firstSeen)) seen.firstSeen = row.firstSeen;
  }

  series(): SeriesRow[] {
    return [...this.byLabels.values()];
  }
}

export function seriesOf(rows: EdgeCounterRow[], settings: Pick<GraphSettings, "dimensions" | "clientServerPrefix">) {
  const builder = new SeriesBuilder(settings);
  for (const r of rows) builder.add(r);
  return builder.series();
}

/**
 * Which edges get series under a limit of `max`: the first ones seen (ties by name), so the exported set never
 * changes as new edges come. Both parts keep the input's order.
 */
export function seriesWithin<R extends { firstSeen?: Date }>(rows: R[], max: number): { kept: R[]; dropped: R[] } {
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
const labelPairs = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
const labels = (l: Record<string, string>) => `{${labelPairs(l)}}`;
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(12).replace(/\.?0+$/, ""));

export function serviceGraphMetrics(rows: SeriesRow[]): string {
  const out: string[] = [
    "# HELP traces_service_graph_request_total Total count of requests between two nodes (sampling-adjusted).",
    "# TYPE traces_service_graph_request_total counter",
  ];
  const rendered = rows.map((r) => ({ r, text: labels(r.labels), inner: labelPairs(r.labels) }));
  for (const { r, text } of rendered) out.push(`traces_service_graph_request_total${text} ${num(r.requests)}`);
  out.push(
    "# HELP traces_service_graph_request_failed_total Total count of failed requests between two nodes.",
    "# TYPE traces_service_graph_request_failed_total counter",
  );
  for (const { r, text } of rendered) out.push(`traces_service_graph_request_failed_total${text} ${num(r.failed)}`);
  for (const side of ["client", "server"] as const) {
    const name = `traces_service_graph_request_${side}_seconds`;
    out.push(
      `# HELP ${name} Time for a request between two nodes as seen from the ${side}.`,
      `# TYPE ${name} histogram`,
    );
    for (const { r, text, inner } of rendered) {
      const h = r[side];
      if (!h) continue;
      for (let i = 0; i < TEMPO_BUCKETS.length; i++)
        out.push(`${name}_bucket{${inner},le="${TEMPO_BUCKETS[i]}"} ${num(h.le[i]!)}`);
      out.push(`${name}_bucket{${inner},le="+Inf"} ${num(h.count)}`);
      out.push(`${name}_sum${text} ${num(h.sum)}`);
      out.push(`${name}_count${text} ${num(h.count)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** The edges over the series limit: how many, and their requests (a counter: later edges only ever join them). */
export function droppedEdgesMetricText(dropped: { requests: number }[]): string {
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
