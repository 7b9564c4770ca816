// Two traces aligned by their service/operation tree (pure): the same call path in both lines up, whatever the span
// ids. A node is a path from the root (service and span name at each level); spans on the same path are summed.
import type { TraceRow } from "./trace-tree";

export interface CompareSide {
  spans: number;
  /** Summed duration of the spans on this path. */
  ms: number;
  errors: number;
}

export interface CompareNode {
  /** The path: service and span name at each level, joined. */
  key: string;
  depth: number;
  service: string;
  name: string;
  peer: string | null;
  a: CompareSide | null;
  b: CompareSide | null;
  /** b - a in ms, when both have it. */
  deltaMs: number | null;
}

type Row = Pick<TraceRow, "spanId" | "parentSpanId" | "service" | "name" | "durationMs" | "error" | "peer">;

function paths(rows: Row[]): Map<string, { row: Row; depth: number; side: CompareSide }> {
  const byId = new Map(rows.map((r) => [r.spanId, r]));
  const keyOf = new Map<Row, { key: string; depth: number }>();
  const resolve = (r: Row, seen: Set<Row>): { key: string; depth: number } => {
    const known = keyOf.get(r);
    if (known) return known;
    const parent = r.parentSpanId ? byId.get(r.parentSpanId) : undefined;
    const up = parent && !seen.has(parent) ? resolve(parent, seen.add(r)) : { key: "", depth: -1 };
    const k = { key: `${up.key}/${r.service}\u0001${r.name}`, depth: up.depth + 1 };
    keyOf.set(r, k);
    return k;
  };
  const out = new Map<string, { row: Row; depth: number; side: CompareSide }>();
  for (const r of rows) {
    const { key, depth } = resolve(r, new Set());
    const node = out.get(key) ?? { row: r, depth, side: { spans: 0, ms: 0, errors: 0 } };
    node.side.spans += 1;
    node.side.ms += r.durationMs;
    if (r.error) node.side.errors += 1;
    out.set(key, node);
  }
  return out;
}

/** Every call path of either trace, in tree order (a's order, b's extra paths after their nearest known sibling). */
export function compareTraces(a: Row[], b: Row[]): CompareNode[] {
  const pa = paths(a);
  const pb = paths(b);
  const order = [...pa.keys()];
  let after = -1;
  for (const key of pb.keys()) {
    const at = order.indexOf(key);
    if (at >= 0) after = at;
    else order.splice(++after, 0, key);
  }
  return order.map((key) => {
    const x = pa.get(key);
    const y = pb.get(key);
    const row = (x ?? y)!.row;
    return {
      key,
      depth: (x ?? y)!.depth,
      service: row.service,
      name: row.name,
      peer: row.peer,
      a: x?.side ?? null,
      b: y?.side ?? null,
      deltaMs: x && y ? y.side.ms - x.side.ms : null,
    };
  });
}
