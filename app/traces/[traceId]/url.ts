// The trace page's view state in the URL (selected span, collapsed spans, search), one definition for server and client.
export interface TraceViewState {
  span: string | null;
  collapsed: string[];
  search: string;
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

export function parseTraceViewState(params: Params): TraceViewState {
  const get = (k: string) => {
    if (params instanceof URLSearchParams) return params.get(k) ?? undefined;
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = (v: string) => /^[0-9a-f]{16}$/.test(v);
  const span = get("span");
  return {
    span: span && id(span) ? span : null,
    collapsed: (get("collapsed") ?? "").split(",").filter(id).sort(),
    search: (get("q") ?? "").slice(0, 200),
  };
}

export function traceViewParams(s: TraceViewState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.span) p.set("span", s.span);
  if (s.collapsed.length) p.set("collapsed", [...s.collapsed].sort().join(","));
  if (s.search) p.set("q", s.search);
  return p;
}

/** Rows in waterfall order with the descendants of collapsed rows left out. */
export function visibleRows<R extends { spanId: string; depth: number }>(rows: R[], collapsed: Set<string>): R[] {
  const out: R[] = [];
  let hideBelow: number | null = null;
  for (const r of rows) {
    if (hideBelow !== null && r.depth > hideBelow) continue;
    hideBelow = collapsed.has(r.spanId) ? r.depth : null;
    out.push(r);
  }
  return out;
}

/** Whether the row at `i` has children (the next row is deeper). */
export const hasChildren = (rows: { depth: number }[], i: number) => (rows[i + 1]?.depth ?? -1) > rows[i]!.depth;

export interface RowWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

/** The slice of fixed-height rows to render for a scroll position, with spacer heights for the rest. */
export function rowWindow(
  total: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
  overscan = 20,
): RowWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(first - overscan, total));
  const end = Math.min(total, first + Math.ceil(viewport / rowHeight) + overscan);
  return {
    start,
    end: Math.max(start, end),
    padTop: start * rowHeight,
    padBottom: Math.max(0, total - Math.max(start, end)) * rowHeight,
  };
}

/** The scroll position that brings row `index` into view, or null when it already is. */
export function scrollToShow(index: number, rowHeight: number, scrollTop: number, viewport: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return null;
}
