import type { FoldReport } from "@/lib/domain/cardinality";

const plural = (n: number, one: string) => `${n.toLocaleString("en-US")} ${one}${n === 1 ? "" : "s"}`;
const TYPE_NAMES: Record<string, string> = {
  service: "service",
  database: "database",
  messaging: "broker",
  external: "external API",
  unknown: "unknown peer",
};

/** Says that (and why) the map folded its smallest nodes and edges into "other" nodes: a limit, never a loss. */
export default function FoldedBanner({ report }: { report: FoldReport }) {
  const types = Object.entries(report.nodesByType)
    .sort(([, a], [, b]) => b - a)
    .map(([type, n]) => plural(n, TYPE_NAMES[type] ?? type))
    .join(", ");
  return (
    <p className="banner" role="status" data-testid="folded-banner">
      This window has more than the map's limits ({plural(report.limits.maxNodes, "node")},{" "}
      {plural(report.limits.maxEdges, "edge")}: MAX_GRAPH_NODES, MAX_GRAPH_EDGES).{" "}
      {report.nodes > 0 && <>The quietest {types} are folded into one “(other …)” node per type. </>}
      {report.edges > 0 && <>{plural(report.edges, "edge")} merged into others. </>}
      Counts and latencies of what was folded are kept in those nodes; narrow the window or search to see them apart.
      Many distinct names often mean an ID or URL in service.name or peer attributes.
    </p>
  );
}
