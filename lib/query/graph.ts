import { mergedPercentiles, type BucketCounts } from "../model/histogram";
import type { Graph, GraphEdge, GraphNode } from "../domain/graph-model";
import type { NodeType } from "../domain/virtual-node";
import { serviceNamespaceMap } from "../db/graph-reads";
import { settledUntil } from "../db/epochs";
import type { Queryable } from "../db/pool";
import { readWindow } from "../model/window";
import { cachedTotals, type Scope } from "./rollup-cache";
import { foldTotals } from "./fold";
import { cardinalityLimits } from "../config-limits";
import { isOtherNode } from "../domain/cardinality";

export type { Graph, GraphEdge, GraphNode } from "../domain/graph-model";

const emptyQuality = () => ({
  orphanSpans: 0,
  unpairedClientSpans: 0,
  unpairedServerSpans: 0,
  rootServerSpans: 0,
  suspectedBrokenContext: false,
});

/**
 * The service graph over [from, to): edges from edge minutes, node figures from their server spans. Within the
 * cardinality limits (lib/domain/cardinality.ts); `keep` names nodes never folded (a page's own service), `envs`
 * the deployment environments read (none: all), `dims` the dimension values that must hold (none: no filter).
 */
export async function loadGraph(
  sql: Queryable,
  requestedFrom: Date,
  requestedTo: Date,
  { keep = [], envs = [], dims = {} }: { keep?: readonly string[] } & Scope = {},
): Promise<Graph> {
  const settled = await settledUntil(sql);
  const { from, to, seconds } = readWindow(requestedFrom, requestedTo, settled?.getTime() ?? requestedFrom.getTime());
  const [read, namespaces] = await Promise.all([
    cachedTotals(sql, from, to, Date.now(), { envs, dims }),
    serviceNamespaceMap(sql),
  ]);
  const { totals, report: folded } = foldTotals(read, cardinalityLimits(), keep);
  const { edges: edgeRows, services: serviceRows, quality: qualityRows } = totals;
  const namespaceOf = new Map(namespaces.map((n) => [n.service, n.namespace]));
  const nodes = new Map<string, GraphNode & { hists: BucketCounts[] }>();
  const node = (name: string, type: NodeType) => {
    let n = nodes.get(name);
    if (!n) {
      n = {
        id: name,
        name,
        type,
        namespace: namespaceOf.get(name) ?? null,
        requests: 0,
        errors: 0,
        rawSpans: 0,
        ratePerSec: 0,
        errorRate: 0,
        p50: null,
        p95: null,
        p99: null,
        quality: emptyQuality(),
        ...(isOtherNode(name) && folded && { folded: folded.nodesByType[type] ?? 0 }),
        hists: [],
      };
      nodes.set(name, n);
    } else if (n.type !== "service" && type === "service") n.type = "service";
    return n;
  };

  const edges: GraphEdge[] = edgeRows.map(({ row: r, client, server }) => {
    node(r.source, r.sourceType as NodeType);
    const target = node(r.target, r.targetType as NodeType);
    // Virtual nodes have no spans of their own: their figures are what their callers saw.
    if (r.targetType !== "service") {
      target.requests += r.requests;
      target.errors += r.failed;
      target.rawSpans += Number(r.rawSpans);
      target.hists.push(...client);
    }
    return {
      id: `${r.source}->${r.target}${r.connectionType === "rpc" ? "" : `:${r.connectionType}`}`,
      source: r.source,
      target: r.target,
      connectionType: r.connectionType,
      broker: r.broker,
      requests: r.requests,
      errors: r.failed,
      status4xx: r.status4xx,
      throttled: r.throttled,
      rawSpans: Number(r.rawSpans),
      ratePerSec: r.requests / seconds,
      errorRate: r.requests > 0 ? r.failed / r.requests : 0,
      client: mergedPercentiles(client),
      server: mergedPercentiles(server),
    };
  });
  for (const { row: s, hist } of serviceRows) {
    const n = node(s.service, "service");
    n.requests = s.requests;
    n.errors = s.failed;
    n.rawSpans = Number(s.rawSpans);
    n.hists = hist;
  }
  const calledByServices = new Set(
    edges.filter((e) => e.source !== "user" && e.connectionType !== "messaging").map((e) => e.target),
  );
  const dimsFiltered = Object.keys(dims).length > 0;
  for (const q of qualityRows) {
    // Quality counts are not kept per dimension: under a dimension filter they annotate the nodes the filter
    // found (as the service's counts over all values) and add none.
    if (dimsFiltered && !nodes.has(q.service)) continue;
    const n = node(q.service, "service");
    n.quality = {
      orphanSpans: Number(q.orphanSpans),
      unpairedClientSpans: Number(q.unpairedClientSpans),
      unpairedServerSpans: Number(q.unpairedServerSpans),
      rootServerSpans: Number(q.rootServerSpans),
      // Root server spans in a service that other services call: someone drops the trace context.
      suspectedBrokenContext: Number(q.rootServerSpans) > 0 && calledByServices.has(q.service),
    };
  }
  return {
    from: from.toISOString(),
    to: requestedTo.toISOString(),
    settledUntil: settled?.toISOString() ?? null,
    coveredSeconds: seconds,
    ...(folded && { folded }),
    nodes: [...nodes.values()].map(({ hists, ...n }) => ({
      ...n,
      ratePerSec: n.requests / seconds,
      errorRate: n.requests > 0 ? n.errors / n.requests : 0,
      ...mergedPercentiles(hists),
    })),
    edges,
  };
}
