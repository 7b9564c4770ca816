// Critical path and self time of a trace (pure). Spans are identified by their index in the input array, since
// Zipkin shared spans can repeat a span id.
export interface TimedSpan {
  spanId: string;
  parentSpanId: string | null;
  startNs: bigint;
  durationNs: bigint;
}

const endOf = (s: TimedSpan) => s.startNs + s.durationNs;
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

function childrenIndex(spans: TimedSpan[]): Map<number, number[]> {
  const byId = new Map<string, number>();
  spans.forEach((s, i) => {
    if (!byId.has(s.spanId)) byId.set(s.spanId, i);
  });
  const children = new Map<number, number[]>();
  spans.forEach((s, i) => {
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    if (p === undefined || p === i) return;
    const list = children.get(p);
    if (list) list.push(i);
    else children.set(p, [i]);
  });
  return children;
}

/**
 * The spans on the critical path, walking back from each root's end: the child that finished last before the
 * cursor is what the parent waited for; then the cursor moves to that child's start (as Jaeger computes it).
 */
export function criticalPath(spans: TimedSpan[]): Set<number> {
  const children = childrenIndex(spans);
  const isChild = new Set([...children.values()].flat());
  const onPath = new Set<number>();
  // Children by end, latest first: the candidate that ends last before the cursor is the first usable one in
  // this order, and one whose start is past the cursor stays unusable as the cursor only moves back. That makes
  // a parent with 10,000 children linear after the sort instead of quadratic.
  const walk = (i: number, cursorIn: bigint) => {
    onPath.add(i);
    const span = spans[i]!;
    let cursor = min(cursorIn, endOf(span));
    const kids = (children.get(i) ?? [])
      .filter((k) => !onPath.has(k))
      .sort((a, b) => {
        const d = endOf(spans[b]!) - endOf(spans[a]!);
        return d > 0n ? 1 : d < 0n ? -1 : a - b;
      });
    let next = 0;
    for (;;) {
      // Children ending at or after the cursor all tie; the earliest-listed wins, as in Jaeger's walk.
      let best: number | null = null;
      for (let j = next; j < kids.length; j++) {
        const k = kids[j]!;
        if (onPath.has(k) || spans[k]!.startNs >= cursor) continue;
        if (endOf(spans[k]!) >= cursor) {
          if (best === null || k < best) best = k;
          continue;
        }
        if (best === null) best = k;
        break;
      }
      if (best === null) return;
      walk(best, cursor);
      cursor = max(span.startNs, spans[best]!.startNs);
      while (next < kids.length && (onPath.has(kids[next]!) || spans[kids[next]!]!.startNs >= cursor)) next++;
    }
  };
  spans.forEach((_, i) => {
    if (!isChild.has(i)) walk(i, endOf(spans[i]!));
  });
  return onPath;
}

/** Time a span spent not waiting on any of its children, in nanoseconds. */
export function selfTimes(spans: TimedSpan[]): bigint[] {
  const children = childrenIndex(spans);
  return spans.map((s, i) => {
    const intervals = (children.get(i) ?? [])
      .map((k) => [max(spans[k]!.startNs, s.startNs), min(endOf(spans[k]!), endOf(s))] as const)
      .filter(([a, b]) => b > a)
      .sort((x, y) => (x[0] < y[0] ? -1 : 1));
    let covered = 0n;
    let reach = s.startNs;
    for (const [a, b] of intervals) {
      if (b <= reach) continue;
      covered += b - max(a, reach);
      reach = b;
    }
    return s.durationNs - covered;
  });
}
