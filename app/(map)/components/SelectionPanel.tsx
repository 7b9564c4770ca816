"use client";

import { chartValue } from "@/app/components/service-colors";
import AsOf from "@/app/components/AsOf";
import { useEffect, useRef, useState } from "react";
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceArea,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { deployLines, timeTick, type DeployMark } from "@/app/components/DeployMarkers";
import type { Graph } from "@/lib/query/graph";
import type { Selection } from "@/app/(map)/url";
import { formatMs, formatPercent, formatRate, qualityText } from "@/app/components/map-style";
import { servicePath } from "@/app/services/url";

interface Props {
  graph: Graph;
  selected: Selection;
  from: string;
  to: string;
  /** Compare mode's baseline window: drawn as a band behind the latency lines. */
  baseline?: { from: string; to: string };
  onFocus: (node: string) => void;
  onClose: () => void;
  /** A drag across the latency chart: show that stretch of time (ms since epoch). */
  onZoom: (from: number, to: number) => void;
}

interface Example {
  traceId: string;
  start: string;
  durationMs: number;
  status: string;
  errorMessage: string | null;
}

interface Point {
  t: string;
  partial: boolean;
  ratePerSec: number;
  errorRate: number;
  client: Record<Pct, number | null>;
  server: Record<Pct, number | null>;
}

type Pct = "p50" | "p95" | "p99";
const PCTS: Pct[] = ["p50", "p95", "p99"];

export default function SelectionPanel({ graph, selected, from, to, baseline, onFocus, onClose, onZoom }: Props) {
  return (
    <aside className="panel" data-testid="selection-panel" aria-label="Details">
      <button type="button" className="close" onClick={onClose} aria-label="Close details">
        ×
      </button>
      {selected.kind === "edge" ? (
        <EdgeDetails graph={graph} id={selected.id} from={from} to={to} baseline={baseline} onZoom={onZoom} />
      ) : (
        <NodeDetails graph={graph} id={selected.id} onFocus={onFocus} from={from} to={to} />
      )}
    </aside>
  );
}

function useJson<T>(url: string | null): T | null {
  const [data, setData] = useState<T | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    fetch(url)
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => live && setData(d))
      .catch(() => live && setData(null));
    return () => {
      live = false;
    };
  }, [url]);
  return data;
}

interface Picked {
  ts: number;
  stepMs: number;
  maxMs: number;
}

function EdgeDetails({
  graph,
  id,
  from,
  to,
  baseline,
  onZoom,
}: {
  graph: Graph;
  id: string;
  from: string;
  to: string;
  baseline?: { from: string; to: string };
  onZoom: (from: number, to: number) => void;
}) {
  const edge = graph.edges.find((e) => e.id === id);
  const base = edge ? `/api/edges/${encodeURIComponent(edge.source)}/${encodeURIComponent(edge.target)}` : null;
  // The map's environments, if it shows only some: the edge's figures over time are theirs too.
  const env = graph.envs?.length ? `&env=${encodeURIComponent(graph.envs.join(","))}` : "";
  const window = (f: string, t: string) => `from=${encodeURIComponent(f)}&to=${encodeURIComponent(t)}${env}`;
  const q = edge ? `${window(from, to)}&connectionType=${edge.connectionType}` : "";
  const series = useJson<{ stepSeconds: number; settledUntil: string | null; points: Point[]; deploys: DeployMark[] }>(
    base && `${base}/series?${q}`,
  );
  const baseSeries = useJson<{ points: Point[] }>(
    base && baseline && series
      ? `${base}/series?${window(baseline.from, baseline.to)}&connectionType=${edge!.connectionType}&step=${series.stepSeconds / 60}m`
      : null,
  );
  const slowest = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=slowest`);
  const errors = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=errors`);
  const typical = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=typical`);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [pct, setPct] = useState<Pct>("p95");
  // Drag across the chart to zoom the whole view to that stretch (as in Grafana); a click stays a click.
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const dragged = useRef(false);
  const atOrBelow = useJson<{ traces: Example[] }>(
    base && picked
      ? `${base}/traces?${window(new Date(picked.ts).toISOString(), new Date(picked.ts + picked.stepMs).toISOString())}&connectionType=${edge!.connectionType}&maxMs=${picked.maxMs}`
      : null,
  );
  if (!edge) return <p>This call has no traffic in the selected time range.</p>;
  // The baseline is aligned by position: its n-th step sits under the current window's n-th step.
  const chart = (series?.points ?? []).map((p, i) => {
    const b = baseSeries?.points[i];
    const side = b && b.client.p50 !== null ? b.client : b?.server;
    const band = side && side.p50 !== null && side[pct] !== null ? [side.p50, side[pct]] : null;
    // A step not all counted yet is left out of rate and errors: drawn, it would read as a drop.
    return {
      ts: Date.parse(p.t),
      rate: p.partial ? null : p.ratePerSec,
      errors: p.partial ? null : p.errorRate * 100,
      client: p.client[pct],
      server: p.server[pct],
      band,
    };
  });
  const stepMs = (series?.stepSeconds ?? 60) * 1000;
  // A click between points with traffic picks the nearest step that has a latency.
  const pick = (index: number | undefined) => {
    if (index === undefined || !Number.isFinite(index)) return;
    for (let d = 0; d < chart.length; d++) {
      for (const i of [index - d, index + d]) {
        const point = chart[i];
        const value = point ? (point.client ?? point.server) : null;
        if (point && value !== null) return setPicked({ ts: point.ts, stepMs, maxMs: Math.round(value * 1000) / 1000 });
      }
    }
  };
  const indexOf = (s: { activeTooltipIndex?: unknown } | null | undefined) => {
    const i = s?.activeTooltipIndex;
    return i === undefined || i === null || !Number.isFinite(Number(i)) ? undefined : Number(i);
  };
  const errorGroups = new Map<string, Example[]>();
  for (const t of errors?.traces ?? [])
    errorGroups.set(t.errorMessage ?? "(no message)", [
      ...(errorGroups.get(t.errorMessage ?? "(no message)") ?? []),
      t,
    ]);
  return (
    <>
      <h2>
        {edge.source} → {edge.target}
      </h2>
      <p className="muted">
        {edge.connectionType}
        {edge.broker ? ` via ${edge.broker}` : ""}
      </p>
      <dl className="figures">
        <dt>Rate</dt>
        <dd>
          {formatRate(edge.ratePerSec)} ({Math.round(edge.requests)} calls, {edge.rawSpans} spans stored)
        </dd>
        <dt>Errors</dt>
        <dd>
          {formatPercent(edge.errorRate)} ({Math.round(edge.errors)}); 4xx {Math.round(edge.status4xx)}, throttled{" "}
          {Math.round(edge.throttled)}
        </dd>
        <dt>Client p50 / p95 / p99</dt>
        <dd>
          {formatMs(edge.client.p50)} / {formatMs(edge.client.p95)} / {formatMs(edge.client.p99)}
        </dd>
        <dt>Server p50 / p95 / p99</dt>
        <dd>
          {formatMs(edge.server.p50)} / {formatMs(edge.server.p95)} / {formatMs(edge.server.p99)}
        </dd>
      </dl>
      {/* biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons, not a form; fieldset would add form semantics */}
      <p className="controls" role="group" aria-label="Latency percentile">
        {PCTS.map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={pct === p}
            className={pct === p ? "selected" : undefined}
            onClick={() => setPct(p)}
          >
            {p}
          </button>
        ))}
      </p>
      <figure
        className="chart"
        aria-label={`client and server ${pct} latency over time`}
        data-testid="edge-chart"
        data-deploys={series?.deploys.length}
        data-baseline={baseSeries ? "1" : "0"}
      >
        <ResponsiveContainer width="100%" height={170}>
          <ComposedChart
            data={chart}
            margin={{ left: 0, right: 8, top: 16, bottom: 0 }}
            onMouseDown={(s) => {
              const i = indexOf(s);
              dragged.current = false;
              if (i !== undefined) setDrag({ a: i, b: i });
            }}
            onMouseMove={(s) => {
              const i = indexOf(s);
              if (drag && i !== undefined && i !== drag.b) setDrag({ a: drag.a, b: i });
            }}
            onMouseUp={() => {
              if (drag && drag.a !== drag.b) {
                dragged.current = true;
                const [lo, hi] = [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)];
                onZoom(chart[lo]!.ts, chart[hi]!.ts + stepMs);
              }
              setDrag(null);
            }}
            onClick={(s) => {
              if (!dragged.current) pick(indexOf(s));
              dragged.current = false;
            }}
            style={{ cursor: "pointer" }}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="ts"
              type="number"
              scale="time"
              domain={["dataMin", "dataMax"]}
              tickFormatter={timeTick}
              fontSize={10}
              minTickGap={30}
            />
            <YAxis yAxisId="ms" fontSize={10} tickFormatter={(v: number) => formatMs(v)} />
            <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleTimeString()} formatter={chartValue} />
            <Legend wrapperStyle={{ fontSize: 10 }} />
            {baseSeries && (
              <Area
                yAxisId="ms"
                dataKey="band"
                name={`baseline p50–${pct}`}
                fill="#BBBBBB"
                fillOpacity={0.35}
                stroke="none"
                isAnimationActive={false}
                connectNulls
              />
            )}
            <Line
              yAxisId="ms"
              dataKey="client"
              name={`client ${pct}`}
              stroke="#0077BB"
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              yAxisId="ms"
              dataKey="server"
              name={`server ${pct}`}
              stroke="#009988"
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
            {deployLines(series?.deploys ?? [], "ms")}
            {drag && drag.a !== drag.b && (
              <ReferenceArea
                yAxisId="ms"
                x1={chart[Math.min(drag.a, drag.b)]?.ts}
                x2={chart[Math.max(drag.a, drag.b)]?.ts}
                fill="#009988"
                fillOpacity={0.2}
                data-testid="zoom-area"
              />
            )}
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      <p className="muted">
        The gap between client and server is network and queueing time. Click a point to list the slowest calls at or
        below its {pct} in that step; drag across the chart to show only that stretch of time.{" "}
        {series && <AsOf settledUntil={series.settledUntil} />}
      </p>
      <figure className="chart" aria-label="request rate and error percentage over time" data-testid="edge-rate-chart">
        <ResponsiveContainer width="100%" height={120}>
          <ComposedChart data={chart} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="ts"
              type="number"
              scale="time"
              domain={["dataMin", "dataMax"]}
              tickFormatter={timeTick}
              fontSize={10}
              minTickGap={30}
            />
            <YAxis yAxisId="rate" fontSize={10} unit="/s" />
            <YAxis yAxisId="err" orientation="right" fontSize={10} unit="%" />
            <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleTimeString()} formatter={chartValue} />
            <Legend wrapperStyle={{ fontSize: 10 }} />
            <Line yAxisId="rate" dataKey="rate" name="req/s" stroke="#0077BB" dot={false} isAnimationActive={false} />
            <Line
              yAxisId="err"
              dataKey="errors"
              name="errors %"
              stroke="#CC3311"
              dot={false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      {picked && (
        <div data-testid="at-or-below" data-max-ms={picked.maxMs}>
          <h3>
            At or below {formatMs(picked.maxMs)} at {new Date(picked.ts).toLocaleTimeString()}
          </h3>
          <TraceList traces={atOrBelow?.traces} testId="examples-at-or-below" />
        </div>
      )}
      <h3>Slowest</h3>
      <TraceList traces={slowest?.traces} testId="examples-slowest" typical={typical?.traces?.[0]?.traceId} />
      <h3>Failed</h3>
      {!errors ? (
        <p className="muted">loading…</p>
      ) : errorGroups.size === 0 ? (
        <p className="muted">none</p>
      ) : (
        [...errorGroups].map(([msg, list]) => (
          <div key={msg}>
            <p className="error">
              {msg} ({list.length})
            </p>
            <TraceList traces={list} testId="examples-errors" typical={typical?.traces?.[0]?.traceId} />
          </div>
        ))
      )}
      <h3>Typical</h3>
      <TraceList traces={typical?.traces} testId="examples-typical" />
    </>
  );
}

/** Example traces; with a typical one known, each links to its comparison with it (what made this one different). */
function TraceList({ traces, testId, typical }: { traces: Example[] | undefined; testId: string; typical?: string }) {
  if (!traces) return <p className="muted">loading…</p>;
  if (traces.length === 0) return <p className="muted">none</p>;
  return (
    <ul className="traces" data-testid={testId}>
      {traces.map((t) => (
        <li key={`${t.traceId}-${t.start}`} data-duration-ms={t.durationMs}>
          <a href={`/traces/${t.traceId}`}>{formatMs(t.durationMs)}</a>{" "}
          <span className="muted">{new Date(t.start).toLocaleTimeString()}</span>
          {typical && typical !== t.traceId && (
            <>
              {" "}
              <a className="muted" href={`/traces/compare?a=${typical}&b=${t.traceId}`} data-testid="compare-typical">
                compare with typical
              </a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function NodeDetails({
  graph,
  id,
  onFocus,
  from,
  to,
}: {
  graph: Graph;
  id: string;
  onFocus: (node: string) => void;
  from: string;
  to: string;
}) {
  const node = graph.nodes.find((n) => n.id === id);
  if (!node) return <p>{id} has no traffic in the selected time range.</p>;
  const callers = graph.edges.filter((e) => e.target === id);
  const callees = graph.edges.filter((e) => e.source === id);
  const quality = qualityText(node.quality);
  return (
    <>
      <h2>{node.name}</h2>
      <p className="muted">{node.type}</p>
      {node.folded !== undefined && (
        <p className="banner" data-testid="folded-note">
          Stands for the {node.folded.toLocaleString("en-US")} quietest {node.type} nodes of this window, folded
          together to keep the map within its limits; their figures are summed here. Narrow the window or open a
          service's own page to see one of them.
        </p>
      )}
      <dl className="figures">
        <dt>Rate</dt>
        <dd>{formatRate(node.ratePerSec)}</dd>
        <dt>Errors</dt>
        <dd>{formatPercent(node.errorRate)}</dd>
        <dt>p50 / p95 / p99</dt>
        <dd>
          {formatMs(node.p50)} / {formatMs(node.p95)} / {formatMs(node.p99)}
        </dd>
      </dl>
      {node.deploys && node.deploys.length > 0 && (
        <>
          <h3>Deploys in this window</h3>
          <ul data-testid="node-deploys">
            {node.deploys.map((d) => (
              <li key={`${d.version}@${d.at}`}>
                {d.version || "(no version)"} first seen {new Date(d.at).toLocaleTimeString()}
              </li>
            ))}
          </ul>
        </>
      )}
      {quality && (
        <p className="banner" data-testid="quality-note">
          {quality}
        </p>
      )}
      <p className="controls">
        <button type="button" onClick={() => onFocus(id)}>
          Focus on {node.name}
        </button>
        {node.type === "service" && node.folded === undefined && (
          <a
            href={servicePath(node.name, {
              from,
              to,
              ...(graph.envs?.length && { env: graph.envs.join(",") }),
              ...(graph.dims && { dims: Object.entries(graph.dims).map(([k, v]) => `${k}:${v}`) }),
            })}
            data-testid="service-page-link"
          >
            Service page: operations, RED over time
          </a>
        )}
      </p>
      <h3>Called by</h3>
      <ul>
        {callers.map((e) => (
          <li key={e.id}>
            {e.source} ({formatRate(e.ratePerSec)})
          </li>
        ))}
      </ul>
      <h3>Calls</h3>
      <ul>
        {callees.map((e) => (
          <li key={e.id}>
            {e.target} ({formatRate(e.ratePerSec)})
          </li>
        ))}
      </ul>
    </>
  );
}
