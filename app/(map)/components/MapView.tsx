"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import MapTable from "./MapTable";
import dynamic from "next/dynamic";
import type { Graph } from "@/lib/query/graph";
import { unpackGraph } from "@/app/(map)/graph-wire";
import { NO_ENVIRONMENT } from "@/lib/model/window";
import FoldedBanner from "@/app/(map)/components/FoldedBanner";
import AsOf from "@/app/components/AsOf";
import WhatChanged from "./WhatChanged";
import MapLegend from "./MapLegend";
import TimeControls from "./TimeControls";
import {
  LABEL_MODES,
  mapStateToParams,
  parseMapState,
  rangeParams,
  RELATIVE_RANGES,
  withAbsoluteRange,
  isLiveRange,
  type MapState,
  type Selection,
} from "@/app/(map)/url";
import { applyFilters, searchMatches } from "@/lib/domain/graph-view";
import { collapseNamespaces } from "@/app/(map)/namespaces";
import { parseTime } from "@/lib/model/window";
import { compareToParam, parseCompare } from "@/lib/domain/compare";
import type { Point } from "@/app/components/layout";

// The panel brings recharts (a third of the page's JavaScript): loaded after the map is up, not before it.
const loadSelectionPanel = () => import("./SelectionPanel");
const preloadSelectionPanel = () => void setTimeout(() => void loadSelectionPanel(), 0);
// cytoscape is nearly half the page's JavaScript: hydration goes ahead while it loads, and the map mounts when it is there.
const loadServiceMap = () => import("./ServiceMap");
const ServiceMap = dynamic(loadServiceMap, {
  ssr: false,
  loading: () => (
    <div className="map-wrap">
      <div className="map-canvas" role="status" aria-busy="true" aria-label="Loading the service map" />
    </div>
  ),
});
const SelectionPanel = dynamic(loadSelectionPanel, {
  ssr: false,
  loading: () => (
    <aside className="panel" aria-busy="true">
      Loading…
    </aside>
  ),
});

const SERVER_KEYS = ["from", "to", "focus", "hops", "compare", "envs", "dims"] as const;
// The slider moves on a log scale of requests per second.
const MIN_RATE_STEPS = [0, 0.001, 0.01, 0.1, 1, 10, 100, 1000];
const minRateStep = (rate: number) => MIN_RATE_STEPS.reduce((best, r, i) => (r <= rate ? i : best), 0);

/** The map page's client side: every change goes into the URL; the server page re-renders from it. */
export default function MapView({ graphJson }: { graphJson: string }) {
  // A new string comes only with a server render (new window, live refresh): only then is there a new graph.
  const graph = useMemo(() => unpackGraph(graphJson), [graphJson]);
  // With a map to draw, cytoscape's chunk is asked for as hydration starts here, not when it reaches the map (the
  // chunk then arrives while hydration runs instead of after it). A second call is the same pending import.
  if (typeof window !== "undefined" && graph.nodes.length > 0)
    void loadServiceMap().then((m) => m.warmLayout(graph.nodes.length, graph.edges.length));
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const state = useMemo(() => parseMapState(new URLSearchParams(params.toString())), [params]);
  const [copied, setCopied] = useState<string | null>(null);

  const update = useCallback(
    (patch: Partial<MapState>) => {
      const next = mapStateToParams({ ...state, ...patch }).toString();
      const url = next ? `${pathname}?${next}` : pathname;
      // Only the window, environments, focus and baseline change what the server loads; the rest is a view change,
      // so it updates the URL (and useSearchParams) without a round trip.
      const reload = SERVER_KEYS.some((k) => k in patch && JSON.stringify(patch[k]) !== JSON.stringify(state[k]));
      if (reload) router.replace(url, { scroll: false });
      else window.history.replaceState(null, "", url);
    },
    [state, router, pathname],
  );

  useEffect(() => {
    if (!isLiveRange(state)) return;
    const timer = setInterval(() => router.refresh(), state.refresh * 1000);
    return () => clearInterval(timer);
  }, [state, router]);

  // Keyed on the filter fields only, not the whole state: a selection or a search must not hand the map a new
  // graph (it would diff thousands of elements and recompute the layout on every click).
  const { hideVirtual, hideUnknown, hideIdle, errorsOnly, minRate, group, groupBy } = state;
  const collapsedKey = JSON.stringify(state.collapsed);
  const visible = useMemo(() => {
    const filtered = applyFilters(graph.nodes, graph.edges, {
      hideVirtual,
      hideUnknown,
      hideIdle,
      errorsOnly,
      minRate,
    });
    if (!group) return filtered;
    // Grouped by a configured dimension: each service's value of it takes the namespace's place.
    const grouped = groupBy
      ? filtered.nodes.map((n) => ({ ...n, namespace: n.dims?.[groupBy] ?? null }))
      : filtered.nodes;
    return collapseNamespaces(grouped, filtered.edges, new Set(JSON.parse(collapsedKey) as string[]));
  }, [graph, hideVirtual, hideUnknown, hideIdle, errorsOnly, minRate, group, groupBy, collapsedKey]);
  const pinsKey = JSON.stringify(state.pins);
  const pins = useMemo(() => JSON.parse(pinsKey) as MapState["pins"], [pinsKey]);
  const onToggleGroup = useCallback(
    (ns: string) =>
      update({
        collapsed: state.collapsed.includes(ns) ? state.collapsed.filter((c) => c !== ns) : [...state.collapsed, ns],
      }),
    [update, state.collapsed],
  );
  const matches = useMemo(() => searchMatches(visible.nodes, state.search), [visible, state.search]);
  const onSelect = useCallback((selected: Selection | null) => update({ selected }), [update]);
  const onViewport = useCallback((viewport: MapState["viewport"]) => update({ viewport }), [update]);
  const onPin = useCallback(
    (id: string, p: Point) => update({ pins: { ...state.pins, [id]: p } }),
    [update, state.pins],
  );

  const copyLink = async () => {
    const now = Date.now();
    const abs = withAbsoluteRange(state, (t) => parseTime(t, now, "time"));
    const url = `${window.location.origin}${pathname}?${mapStateToParams(abs).toString()}`;
    setCopied(url);
    await navigator.clipboard?.writeText(url).catch(() => undefined);
  };

  const isRelative = (RELATIVE_RANGES as readonly string[]).includes(state.from) && state.to === "now";
  return (
    <div className="map-page">
      <form className="controls" onSubmit={(e) => e.preventDefault()} aria-label="Map controls">
        <label>
          Time
          <select
            aria-label="Time range"
            value={isRelative ? state.from : "custom"}
            onChange={(e) => update({ from: e.target.value, to: "now" })}
          >
            {RELATIVE_RANGES.map((r) => (
              <option key={r} value={r}>
                last {r.slice(4)}
              </option>
            ))}
            {!isRelative && (
              <option value="custom">
                {new Date(graph.from).toLocaleString()} – {new Date(graph.to).toLocaleString()}
              </option>
            )}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            aria-label="Absolute from"
            value={toLocalInput(graph.from)}
            onChange={(e) =>
              e.target.value &&
              update({
                from: new Date(e.target.value).toISOString(),
                to: new Date(graph.to).toISOString(),
                live: false,
              })
            }
          />
        </label>
        <label>
          to
          <input
            type="datetime-local"
            aria-label="Absolute to"
            value={toLocalInput(graph.to)}
            onChange={(e) =>
              e.target.value &&
              update({
                from: new Date(graph.from).toISOString(),
                to: new Date(e.target.value).toISOString(),
                live: false,
              })
            }
          />
        </label>
        {state.to === "now" && (
          <button type="button" onClick={() => update({ live: !state.live })} aria-pressed={state.live}>
            {state.live ? "Pause" : "Resume"} live
          </button>
        )}
        <TimeControls state={state} from={graph.from} to={graph.to} update={update} />
        <AsOf settledUntil={graph.settledUntil} />
        {graph.environments && (graph.environments.length > 1 || state.envs.length > 0) && (
          <label>
            Environment
            <select
              value={state.envs.length === 1 ? state.envs[0] : state.envs.length > 1 ? "several" : ""}
              onChange={(e) =>
                e.target.value !== "several" &&
                update({ envs: e.target.value ? [e.target.value] : [], selected: null, viewport: null })
              }
              data-testid="environment"
            >
              <option value="">all</option>
              {state.envs.length > 1 && <option value="several">{state.envs.join(", ")}</option>}
              {graph.environments.map((env) => (
                <option key={env} value={env || NO_ENVIRONMENT}>
                  {env || NO_ENVIRONMENT}
                </option>
              ))}
            </select>
          </label>
        )}
        {graph.dimensions?.map((d) => (
          <label key={d.key}>
            {d.key}
            <select
              value={state.dims[d.key] ?? ""}
              onChange={(e) => {
                const { [d.key]: _old, ...rest } = state.dims;
                update({
                  dims: e.target.value ? { ...rest, [d.key]: e.target.value } : rest,
                  selected: null,
                  viewport: null,
                });
              }}
              data-testid={`dim-${d.key}`}
            >
              <option value="">all</option>
              {state.dims[d.key] !== undefined && !d.values.includes(state.dims[d.key]!) && (
                <option value={state.dims[d.key]}>{state.dims[d.key]}</option>
              )}
              {d.values.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          Compare
          <select
            value={typeof state.compare === "object" && state.compare ? "custom" : (state.compare ?? "")}
            onChange={(e) => update({ compare: compareChoice(e.target.value, graph) })}
          >
            <option value="">off</option>
            <option value="prev">previous period</option>
            <option value="1d">1 day ago</option>
            <option value="7d">7 days ago</option>
            <option value="custom">custom…</option>
          </select>
        </label>
        {typeof state.compare === "object" && state.compare && (
          <span className="chip">
            baseline
            <input
              type="datetime-local"
              aria-label="Baseline from"
              value={toLocalInput(new Date(state.compare.from).toISOString())}
              onChange={(e) =>
                e.target.value &&
                update({
                  compare: { from: new Date(e.target.value).getTime(), to: (state.compare as { to: number }).to },
                })
              }
            />
            –
            <input
              type="datetime-local"
              aria-label="Baseline to"
              value={toLocalInput(new Date(state.compare.to).toISOString())}
              onChange={(e) =>
                e.target.value &&
                update({
                  compare: { from: (state.compare as { from: number }).from, to: new Date(e.target.value).getTime() },
                })
              }
            />
          </span>
        )}
        <label>
          Labels
          <select value={state.labels} onChange={(e) => update({ labels: e.target.value as MapState["labels"] })}>
            {LABEL_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Latency
          <select value={state.side} onChange={(e) => update({ side: e.target.value as MapState["side"] })}>
            <option value="client">client side</option>
            <option value="server">server side</option>
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            defaultValue={state.search}
            onChange={(e) => update({ search: e.target.value })}
            placeholder="service name"
          />
        </label>
        <label>
          Min traffic
          <input
            type="range"
            min={0}
            max={MIN_RATE_STEPS.length - 1}
            value={minRateStep(state.minRate)}
            onChange={(e) => update({ minRate: MIN_RATE_STEPS[Number(e.target.value)]! })}
            aria-valuetext={`${state.minRate} requests per second`}
          />
          <span className="muted">{state.minRate > 0 ? `≥ ${state.minRate}/s` : "all"}</span>
        </label>
        <label>
          <input
            type="checkbox"
            checked={state.hideVirtual}
            onChange={(e) => update({ hideVirtual: e.target.checked })}
          />{" "}
          hide virtual
        </label>
        <label>
          <input
            type="checkbox"
            checked={state.hideUnknown}
            onChange={(e) => update({ hideUnknown: e.target.checked })}
          />{" "}
          hide unknown
        </label>
        <label>
          <input type="checkbox" checked={state.hideIdle} onChange={(e) => update({ hideIdle: e.target.checked })} />{" "}
          hide idle
        </label>
        <label>
          <input
            type="checkbox"
            checked={state.errorsOnly}
            onChange={(e) => update({ errorsOnly: e.target.checked })}
          />{" "}
          errors only
        </label>
        <label>
          <input type="checkbox" checked={state.group} onChange={(e) => update({ group: e.target.checked })} /> group by
          {graph.dimensions?.length ? "" : " namespace"}
        </label>
        {graph.dimensions && graph.dimensions.length > 0 && (
          <select
            aria-label="Group by"
            data-testid="group-by"
            value={state.groupBy}
            onChange={(e) => update({ group: true, groupBy: e.target.value, collapsed: [] })}
          >
            <option value="">namespace</option>
            {graph.dimensions.map((d) => (
              <option key={d.key} value={d.key}>
                {d.key}
              </option>
            ))}
          </select>
        )}
        {state.focus && (
          <span className="chip">
            focus: {state.focus} ±
            <select
              value={state.hops}
              onChange={(e) => update({ hops: Number(e.target.value), viewport: null })}
              aria-label="hops"
            >
              {[1, 2, 3, 4, 5].map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => update({ focus: null, viewport: null })} aria-label="Clear focus">
              ×
            </button>
          </span>
        )}
        <button type="button" onClick={() => update({ view: state.view === "graph" ? "table" : "graph" })}>
          {state.view === "graph" ? "Table view" : "Graph view"}
        </button>
        <button type="button" onClick={copyLink}>
          Copy link
        </button>
      </form>
      {graph.folded && <FoldedBanner report={graph.folded} />}
      {graph.baseline && (
        <p className="muted" data-testid="compare-note">
          Compared with {new Date(graph.baseline.from).toLocaleString()} –{" "}
          {new Date(graph.baseline.to).toLocaleString()}: teal outline = new, grey dotted = gone, Δ = change.
        </p>
      )}
      {copied && (
        <p className="muted">
          Link to this exact view:{" "}
          <input readOnly value={copied} data-testid="share-link" size={80} onFocus={(e) => e.target.select()} />
        </p>
      )}
      {graph.nodes.length === 0 ? (
        <div className="empty" data-testid="empty-state">
          <p>No calls between services in this time range yet. Point an OpenTelemetry SDK or Collector at Tracemap:</p>
          <pre>{`OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318   # OTLP/HTTP (protobuf or JSON)
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
# or gRPC on :4317, or Zipkin v2 JSON to http://localhost:9411/api/v2/spans`}</pre>
          <p className="muted">
            A call shows within seconds of its client and server spans arriving; a call to an uninstrumented peer after
            the pairing wait (30 s by default), when its server span can no longer come.
          </p>
        </div>
      ) : (
        <div className="map-body">
          <div className="map-main">
            <WhatChanged
              query={changesQuery(state)}
              refreshKey={`${graph.from}|${graph.settledUntil ?? ""}`}
              selected={state.selected}
              onSelect={onSelect}
            />
            {state.view === "graph" ? (
              <ServiceMap
                graph={visible}
                labels={state.labels}
                side={state.side}
                matches={matches}
                selected={state.selected}
                pins={pins}
                groups={state.group}
                onSelect={onSelect}
                onPin={onPin}
                onToggleGroup={onToggleGroup}
                onDrawn={preloadSelectionPanel}
                viewport={state.viewport}
                onViewport={onViewport}
              />
            ) : null}
            <MapTable
              graph={visible}
              selected={state.selected}
              matches={matches}
              onSelect={onSelect}
              compact={state.view === "graph"}
            />
            <MapLegend />
          </div>
          {state.selected && (
            <SelectionPanel
              graph={graph}
              selected={state.selected}
              from={graph.from}
              to={graph.to}
              baseline={graph.baseline}
              onFocus={(focus) => update({ focus, selected: null, viewport: null })}
              onClose={() => onSelect(null)}
              onZoom={(f, t) => update({ from: new Date(f).toISOString(), to: new Date(t).toISOString(), live: false })}
            />
          )}
        </div>
      )}
    </div>
  );
}

/** The map's window and baseline as /api/changes parameters. */
function changesQuery(state: MapState): string {
  const q = rangeParams(state);
  if (state.compare) q.set("cmp", compareToParam(state.compare));
  return q.toString();
}

/** An ISO instant as the value of a datetime-local input, in the viewer's time zone. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The compare select's value as state; "custom" starts from the previous period, to be edited. */
function compareChoice(value: string, graph: Graph): MapState["compare"] {
  if (value === "custom") {
    const from = Date.parse(graph.from);
    const to = Date.parse(graph.to);
    return { from: from - (to - from), to: from };
  }
  return parseCompare(value);
}
