import { planFold, type FoldReport, type GraphLimits } from "../domain/cardinality";
import type { MergedTotals } from "./rollup-cache";

type EdgeEntry = MergedTotals["edges"][number];
type ServiceEntry = MergedTotals["services"][number];
type QualityRow = MergedTotals["quality"][number];

/**
 * The window's totals within the graph limits: folded nodes' and edges' rows merged into their "other" node's
 * (counters summed, histogram pieces kept together so percentiles stay exact). Unchanged when within the limits.
 */
export function foldTotals(
  totals: MergedTotals,
  limits: GraphLimits,
  keep: readonly string[] = [],
): { totals: MergedTotals; report: FoldReport | null } {
  const plan = planFold(
    new Map(totals.services.map(({ row }) => [row.service, { type: "service", requests: row.requests }])),
    totals.edges.map(({ row }) => row),
    limits,
    keep,
  );
  if (!plan.report) return { totals, report: null };

  const edges = new Map<string, EdgeEntry>();
  totals.edges.forEach((entry, i) => {
    const { source, target } = plan.ends(i);
    const key = `${source}\u0000${target}\u0000${entry.row.connectionType}`;
    const into = edges.get(key);
    if (!into) {
      edges.set(key, {
        // An "other" node keeps the type it stands for: the end types stay.
        row: { ...entry.row, source, target },
        client: [...entry.client],
        server: [...entry.server],
      });
      return;
    }
    const r = into.row;
    r.requests += entry.row.requests;
    r.failed += entry.row.failed;
    r.status4xx += entry.row.status4xx;
    r.throttled += entry.row.throttled;
    r.rawSpans += entry.row.rawSpans;
    r.rawFailed += entry.row.rawFailed;
    if (r.broker !== entry.row.broker) r.broker = null;
    into.client.push(...entry.client);
    into.server.push(...entry.server);
  });

  const services = new Map<string, ServiceEntry>();
  for (const { row, hist } of totals.services) {
    const service = plan.node(row.service);
    const into = services.get(service);
    if (!into) services.set(service, { row: { ...row, service }, hist: [...hist] });
    else {
      into.row.requests += row.requests;
      into.row.failed += row.failed;
      into.row.rawSpans += row.rawSpans;
      into.hist.push(...hist);
    }
  }

  const quality = new Map<string, QualityRow>();
  for (const row of totals.quality) {
    const service = plan.node(row.service);
    const into = quality.get(service);
    if (!into) quality.set(service, { ...row, service });
    else {
      into.orphanSpans += row.orphanSpans;
      into.unpairedClientSpans += row.unpairedClientSpans;
      into.unpairedServerSpans += row.unpairedServerSpans;
      into.rootServerSpans += row.rootServerSpans;
    }
  }
  return {
    totals: { edges: [...edges.values()], services: [...services.values()], quality: [...quality.values()] },
    report: plan.report,
  };
}
