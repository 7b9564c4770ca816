"use client";

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { usePathname, useSearchParams } from "next/navigation";
import type { TraceRow } from "@/lib/domain/trace-tree";
import { traceRowsFromJson } from "@/app/traces/[traceId]/trace-wire";
import {
  hasChildren,
  parseTraceViewState,
  rowWindow,
  scrollToShow,
  traceViewParams,
  visibleRows,
  type TraceViewState,
} from "@/app/traces/[traceId]/url";
import TraceMinimap from "./TraceMinimap";
import { formatDuration, rulerTicks, serviceColor } from "@/app/components/service-colors";

/** Every row has this height (CSS keeps it), so only the rows in view are rendered: 10,000 spans scroll smoothly. */
export const ROW_HEIGHT = 26;
const VIEWPORT = 640;

/**
 * The waterfall: collapse, selection with a text-only detail panel, search, keyboard, minimap; all state in the
 * URL. Rows are virtualised.
 */
export default function TraceWaterfall({ rowsJson, traceId }: { rowsJson: string; traceId: string }) {
  const rows = useMemo(() => traceRowsFromJson(rowsJson), [rowsJson]);
  const pathname = usePathname();
  const params = useSearchParams();
  const state = useMemo(() => parseTraceViewState(new URLSearchParams(params.toString())), [params]);
  const update = useCallback(
    (patch: Partial<TraceViewState>) => {
      const q = traceViewParams({ ...state, ...patch }).toString();
      window.history.replaceState(null, "", q ? `${pathname}?${q}` : pathname);
    },
    [state, pathname],
  );
  const collapsed = useMemo(() => new Set(state.collapsed), [state.collapsed]);
  const shown = useMemo(() => visibleRows(rows, collapsed), [rows, collapsed]);
  const total = useMemo(() => rows.reduce((m, r) => Math.max(m, r.offsetMs + r.durationMs), 0.001), [rows]);
  const indexOf = useMemo(() => new Map(rows.map((r, i) => [r, i])), [rows]);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(VIEWPORT);
  const win = rowWindow(shown.length, ROW_HEIGHT, scrollTop, viewport);
  const scrollTo = useCallback((top: number) => {
    if (scroller.current) scroller.current.scrollTop = top;
  }, []);
  useEffect(() => {
    const el = scroller.current;
    if (el) setViewport(el.clientHeight);
  }, []);
  // Keyboard and link selections must be visible even when far down a long trace.
  useEffect(() => {
    const el = scroller.current;
    const i = shown.findIndex((r) => r.spanId === state.span);
    if (!el || i < 0) return;
    // The sticky header covers one row's height at the top of the box.
    const top = scrollToShow(i, ROW_HEIGHT, el.scrollTop, el.clientHeight - ROW_HEIGHT);
    if (top !== null) el.scrollTop = top;
  }, [state.span, shown]);
  const needle = state.search.trim().toLowerCase();
  const matches = (r: TraceRow) =>
    needle !== "" && [r.name, r.service, ...r.attributes.flat()].some((t) => t.toLowerCase().includes(needle));
  const selected = rows.find((r) => r.spanId === state.span) ?? null;
  const toggle = (id: string) =>
    update({ collapsed: collapsed.has(id) ? state.collapsed.filter((c) => c !== id) : [...state.collapsed, id] });

  const onKey = (e: KeyboardEvent) => {
    const i = shown.findIndex((r) => r.spanId === state.span);
    if (e.key === "ArrowDown" || e.key === "j") update({ span: shown[Math.min(i + 1, shown.length - 1)]!.spanId });
    else if (e.key === "ArrowUp" || e.key === "k") update({ span: shown[Math.max(i - 1, 0)]!.spanId });
    else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && state.span) {
      const isCollapsed = collapsed.has(state.span);
      if ((e.key === "ArrowLeft") !== isCollapsed) toggle(state.span);
    } else if (e.key === "Escape") update({ span: null });
    else return;
    e.preventDefault();
  };

  return (
    <div className="trace-body">
      <div className="trace-main">
        <p className="controls">
          <label>
            Search{" "}
            <input
              type="search"
              defaultValue={state.search}
              onChange={(e) => update({ search: e.target.value })}
              placeholder="name, service, attribute"
            />
          </label>
          <button
            type="button"
            onClick={() =>
              update({ collapsed: rows.filter((r, i) => r.depth >= 1 && hasChildren(rows, i)).map((r) => r.spanId) })
            }
          >
            Collapse to depth 1
          </button>
          <button type="button" onClick={() => update({ collapsed: [] })}>
            Expand all
          </button>
          <a href={`/api/traces/${traceId}`} download={`trace-${traceId}.json`}>
            Download JSON
          </a>
          <span className="muted">keys: ↑/↓ select, ←/→ collapse/expand, Esc clear</span>
        </p>
        {shown.length * ROW_HEIGHT > VIEWPORT && (
          <TraceMinimap
            rows={shown}
            total={total}
            rowHeight={ROW_HEIGHT}
            scrollTop={scrollTop}
            viewport={viewport}
            onScroll={scrollTo}
          />
        )}
        <div
          className="waterfall-scroll"
          ref={scroller}
          style={{ maxHeight: VIEWPORT }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          data-testid="waterfall-scroll"
        >
          <table
            data-testid="waterfall"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the waterfall takes the keyboard (arrows, Enter, Escape)
            tabIndex={0}
            onKeyDown={onKey}
            aria-label="Spans of the trace"
            aria-rowcount={shown.length + 1}
          >
            <thead>
              <tr>
                <th>Span</th>
                <th>Service</th>
                <th>Kind</th>
                <th style={{ width: "30%" }} className="ruler" data-testid="ruler">
                  {rulerTicks(total).map((t) => (
                    <span key={t.at} className="tick" style={{ left: `${t.at * 100}%` }}>
                      {t.label}
                    </span>
                  ))}
                </th>
                <th className="num">Duration</th>
                <th className="num">Self</th>
              </tr>
            </thead>
            <tbody>
              {win.padTop > 0 && (
                // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row of the virtual scroll, never focused
                <tr aria-hidden="true" className="spacer" style={{ height: win.padTop }}>
                  <td colSpan={6} />
                </tr>
              )}
              {shown.slice(win.start, win.end).map((r, j) => {
                const i = indexOf.get(r)!;
                const classes = [
                  r.critical ? "critical" : "",
                  r.spanId === state.span ? "selected" : "",
                  matches(r) ? "match" : "",
                ]
                  .filter(Boolean)
                  .join(" ");
                return (
                  <tr
                    key={`${r.spanId}-${i}`}
                    aria-rowindex={win.start + j + 2}
                    data-span={r.spanId}
                    data-service={r.service}
                    data-kind={r.kind}
                    data-critical={r.critical ? "true" : "false"}
                    className={classes || undefined}
                    onClick={() => update({ span: r.spanId })}
                  >
                    <td style={{ paddingLeft: 8 + r.depth * 16 }}>
                      {hasChildren(rows, i) ? (
                        <button
                          type="button"
                          className="link"
                          aria-expanded={!collapsed.has(r.spanId)}
                          aria-label={collapsed.has(r.spanId) ? "Expand" : "Collapse"}
                          onClick={(e) => {
                            e.stopPropagation();
                            toggle(r.spanId);
                          }}
                        >
                          {collapsed.has(r.spanId) ? "▸" : "▾"}
                        </button>
                      ) : (
                        <span className="muted">·</span>
                      )}{" "}
                      {r.critical && (
                        <span className="crit" title="on the critical path">
                          ◆{" "}
                        </span>
                      )}
                      {r.peer && (
                        <span className="peer" data-testid="peer">
                          → {r.peer}{" "}
                        </span>
                      )}
                      {r.name || "(unnamed)"}
                      {r.orphan && (
                        <span className="muted" title="its parent span never arrived">
                          {" "}
                          (parent missing)
                        </span>
                      )}
                      {r.error && <span className="error"> error{r.statusMessage ? `: ${r.statusMessage}` : ""}</span>}
                    </td>
                    <td>
                      <span className="swatch" style={{ background: serviceColor(r.service) }} /> {r.service}
                    </td>
                    <td>{r.kind}</td>
                    <td className="timeline">
                      <div
                        style={{
                          marginLeft: `${(r.offsetMs / total) * 100}%`,
                          width: `${(r.durationMs / total) * 100}%`,
                          background: r.error ? undefined : serviceColor(r.service),
                        }}
                        className={r.error ? "bar err" : "bar"}
                      >
                        {r.events.map((e) => (
                          <span
                            key={`${e.offsetMs}:${e.name}`}
                            className="event-mark"
                            title={`${e.name} at +${formatDuration(e.offsetMs)}`}
                            style={{
                              left: `${r.durationMs > 0 ? ((e.offsetMs - r.offsetMs) / r.durationMs) * 100 : 0}%`,
                            }}
                          />
                        ))}
                      </div>
                    </td>
                    <td className="num">{formatDuration(r.durationMs)}</td>
                    <td className="num">{formatDuration(r.selfMs)}</td>
                  </tr>
                );
              })}
              {win.padBottom > 0 && (
                // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row of the virtual scroll, never focused
                <tr aria-hidden="true" className="spacer" style={{ height: win.padBottom }}>
                  <td colSpan={6} />
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      {selected && <SpanDetail row={selected} onClose={() => update({ span: null })} />}
    </div>
  );
}

function Pairs({ pairs }: { pairs: [string, string][] }) {
  if (pairs.length === 0) return <p className="muted">none</p>;
  return <pre>{pairs.map(([k, v]) => `${k} = ${v}`).join("\n")}</pre>;
}

/** Everything about one span, strictly as text. */
function SpanDetail({ row, onClose }: { row: TraceRow; onClose: () => void }) {
  return (
    <aside className="panel" data-testid="span-detail" aria-label="Span details">
      <button type="button" className="close" onClick={onClose} aria-label="Close span details">
        ×
      </button>
      <h2>{row.name || "(unnamed)"}</h2>
      <dl className="figures">
        <dt>Service</dt>
        <dd>{row.service}</dd>
        <dt>Kind</dt>
        <dd>{row.kind}</dd>
        <dt>Span id</dt>
        <dd>
          <code>{row.spanId}</code>
        </dd>
        <dt>Parent</dt>
        <dd>
          <code>{row.parentSpanId ?? "none (root)"}</code>
          {row.orphan ? " (missing)" : ""}
        </dd>
        <dt>Start</dt>
        <dd>+{row.offsetMs.toFixed(3)} ms</dd>
        <dt>Duration</dt>
        <dd>
          {row.durationMs.toFixed(3)} ms (self {row.selfMs.toFixed(3)} ms){row.critical ? ", on the critical path" : ""}
        </dd>
        <dt>Status</dt>
        <dd>
          {["unset", "ok", "error"][row.statusCode] ?? row.statusCode}
          {row.statusMessage ? `: ${row.statusMessage}` : ""}
        </dd>
      </dl>
      <h3>Attributes</h3>
      <Pairs pairs={row.attributes} />
      <h3>Resource</h3>
      <Pairs pairs={row.resource} />
      <h3>Events</h3>
      {row.events.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        row.events.map((e) => (
          <div key={`${e.offsetMs}:${e.name}`}>
            <p>
              +{e.offsetMs.toFixed(3)} ms {e.name}
            </p>
            <Pairs pairs={e.attributes} />
          </div>
        ))
      )}
      <h3>Links</h3>
      {row.links.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul>
          {row.links.map((l) => (
            <li key={`${l.traceId}-${l.spanId}`}>
              <a href={`/traces/${l.traceId}?span=${l.spanId}`}>
                {l.traceId} / {l.spanId}
              </a>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
