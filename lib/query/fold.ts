import { planFold, type FoldReport, type GraphLimits } from "../domain/cardinality";
import { sumEdgeRows, sumQualityRows, sumServiceRows, type MergedTotals } from "./rollup-cache";

/** `items` grouped by `key`, in first-seen order. */
function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/**
 * The window's totals within the graph limits: folded nodes' and edges' rows merged into their "other" node's
 * the way blocks are merged (rollup-cache's row sums; histogram pieces kept together, so percentiles stay exact).
 * Unchanged when within the limits.
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
  // An "other" node keeps the type it stands for: the end types stay.
  const placed = totals.edges.map((entry, i) => ({ entry, ...plan.ends(i) }));
  const edges = groupBy(placed, (p) => `${p.source}\u0000${p.target}\u0000${p.entry.row.connectionType}`).map(
    (group) => ({
      row: { ...sumEdgeRows(group.map((p) => p.entry.row)), source: group[0]!.source, target: group[0]!.target },
      client: group.flatMap((p) => p.entry.client),
      server: group.flatMap((p) => p.entry.server),
    }),
  );
  const services = groupBy(totals.services, (s) => plan.node(s.row.service)).map((group) => ({
    row: { ...sumServiceRows(group.map((s) => s.row)), service: plan.node(group[0]!.row.service) },
    hist: group.flatMap((s) => s.hist),
  }));
  const quality = groupBy(totals.quality, (q) => plan.node(q.service)).map((group) => ({
    ...sumQualityRows(group),
    service: plan.node(group[0]!.service),
  }));
  return { totals: { edges, services, quality }, report: plan.report };
}
