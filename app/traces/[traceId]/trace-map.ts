// The services one trace touched and the calls between them (pure): the "trace map" beside the waterfall.
import { layeredPositions, type Point } from "@/app/components/layout";
import { virtualNodeOf, type NodeType } from "@/lib/domain/virtual-node";

export interface TraceMapNode {
  id: string;
  spans: number;
  errors: number;
  type: NodeType;
  position: Point;
}

export interface TraceMapEdge {
  source: string;
  target: string;
  calls: number;
  errors: number;
  /** Time the calls on this hop took, summed (the callee side's span durations). */
  timeMs: number;
}

interface RowLike {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  kind: string;
  error: boolean;
  durationMs: number;
  attributes: [string, string][];
}

/**
 * One node per service; an edge wherever a span's parent belongs to another service, counted per child span,
 * with the time its calls took.
 * Client and producer spans nobody answered call a virtual node (database, queue, external API), named as on the
 * main map.
 */
export function traceServiceMap(rows: RowLike[]): { nodes: TraceMapNode[]; edges: TraceMapEdge[] } {
  const byId = new Map<string, RowLike>();
  const answered = new Set<string>();
  for (const r of rows) {
    if (!byId.has(r.spanId)) byId.set(r.spanId, r);
    if (r.parentSpanId) answered.add(r.parentSpanId);
  }
  const counts = new Map<string, { spans: number; errors: number; type: NodeType }>();
  const edges = new Map<string, TraceMapEdge>();
  const count = (id: string, type: NodeType, error: boolean) => {
    const c = counts.get(id) ?? { spans: 0, errors: 0, type };
    c.spans++;
    if (error) c.errors++;
    counts.set(id, c);
  };
  const call = (source: string, target: string, error: boolean, ms: number) => {
    const key = `${source}\u0000${target}`;
    const e = edges.get(key) ?? { source, target, calls: 0, errors: 0, timeMs: 0 };
    e.calls++;
    e.timeMs += ms;
    if (error) e.errors++;
    edges.set(key, e);
  };
  for (const r of rows) {
    count(r.service, "service", r.error);
    if ((r.kind === "client" || r.kind === "producer") && !answered.has(r.spanId)) {
      const virtual = virtualNodeOf(Object.fromEntries(r.attributes));
      if (virtual.name !== r.service) {
        count(virtual.name, virtual.type, r.error);
        call(r.service, virtual.name, r.error, r.durationMs);
      }
    }
    // A call failed when either side says so.
    const parent = r.parentSpanId ? byId.get(r.parentSpanId) : undefined;
    if (parent !== undefined && parent.service !== r.service)
      call(parent.service, r.service, r.error || parent.error, r.durationMs);
  }
  const edgeList = [...edges.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target),
  );
  const positions = layeredPositions([...counts.keys()], edgeList);
  const nodes = [...counts]
    .map(([id, c]) => ({ id, ...c, position: positions.get(id)! }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { nodes, edges: edgeList };
}
