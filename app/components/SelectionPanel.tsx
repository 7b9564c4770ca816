"use client";

import { useEffect, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Graph } from "@/lib/query/graph";
import type { Selection } from "@/lib/domain/map-state";
import { formatMs, formatPercent, formatRate } from "@/lib/domain/map-style";
import { qualityText } from "./MapTable";

interface Props {
  graph: Graph;
  selected: Selection;
  from: string;
  to: string;
  onFocus: (node: string) => void;
  onClose: () => void;
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
  ratePerSec: number;
  errorRate: number;
  client: { p95: number | null };
  server: { p95: number | null };
}

export default function SelectionPanel({ graph, selected, from, to, onFocus, onClose }: Props) {
  return (
    <aside className="panel" data-testid="selection-panel" aria-label="Details">
      <button type="button" className="close" onClick={onClose} aria-label="Close details">×</button>
      {selected.kind === "edge" ? <EdgeDetails graph={graph} id={selected.id} from={from} to={to} /> : <NodeDetails graph={graph} id={selected.id} onFocus={onFocus} />}
    </aside>
  );
}

function useJson<T>(url: string | null): T | null {
  const [data, setData] = useState<T | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    fetch(url).then((r) => (r.ok ? r.json() : null)).then((d) => live && setData(d)).catch(() => live && setData(null));
    return () => {
      live = false;
    };
  }, [url]);
  return data;
}

function EdgeDetails({ graph, id, from, to }: { graph: Graph; id: string; from: string; to: string }) {
  const edge = graph.edges.find((e) => e.id === id);
  const base = edge ? `/api/edges/${encodeURIComponent(edge.source)}/${encodeURIComponent(edge.target)}` : null;
  const q = edge ? `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&connectionType=${edge.connectionType}` : "";
  const series = useJson<{ points: Point[] }>(base && `${base}/series?${q}`);
  const slowest = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=slowest`);
  const errors = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=errors`);
  const typical = useJson<{ traces: Example[] }>(base && `${base}/traces?${q}&kind=typical`);
  if (!edge) return <p>This call has no traffic in the selected time range.</p>;
  const chart = (series?.points ?? []).map((p) => ({
    t: new Date(p.t).toLocaleTimeString(), rate: p.ratePerSec, errors: p.errorRate * 100, client: p.client.p95, server: p.server.p95,
  }));
  const errorGroups = new Map<string, Example[]>();
  for (const t of errors?.traces ?? []) errorGroups.set(t.errorMessage ?? "(no message)", [...(errorGroups.get(t.errorMessage ?? "(no message)") ?? []), t]);
  return (
    <>
      <h2>{edge.source} → {edge.target}</h2>
      <p className="muted">{edge.connectionType}{edge.broker ? ` via ${edge.broker}` : ""}</p>
      <dl className="figures">
        <dt>Rate</dt><dd>{formatRate(edge.ratePerSec)} ({Math.round(edge.requests)} calls, {edge.rawSpans} spans stored)</dd>
        <dt>Errors</dt><dd>{formatPercent(edge.errorRate)} ({Math.round(edge.errors)}); 4xx {Math.round(edge.status4xx)}, throttled {Math.round(edge.throttled)}</dd>
        <dt>Client p50 / p95 / p99</dt><dd>{formatMs(edge.client.p50)} / {formatMs(edge.client.p95)} / {formatMs(edge.client.p99)}</dd>
        <dt>Server p50 / p95 / p99</dt><dd>{formatMs(edge.server.p50)} / {formatMs(edge.server.p95)} / {formatMs(edge.server.p99)}</dd>
      </dl>
      <div className="chart" aria-label="p95 latency and rate over time">
        <ResponsiveContainer width="100%" height={160}>
          <LineChart data={chart} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" fontSize={10} minTickGap={30} />
            <YAxis yAxisId="ms" fontSize={10} unit=" ms" />
            <YAxis yAxisId="rate" orientation="right" fontSize={10} unit="/s" />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 10 }} />
            <Line yAxisId="ms" dataKey="client" name="client p95" stroke="#0077BB" dot={false} isAnimationActive={false} connectNulls />
            <Line yAxisId="ms" dataKey="server" name="server p95" stroke="#009988" dot={false} isAnimationActive={false} connectNulls />
            <Line yAxisId="rate" dataKey="rate" name="req/s" stroke="#BBBBBB" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <h3>Slowest</h3>
      <TraceList traces={slowest?.traces} testId="examples-slowest" />
      <h3>Failed</h3>
      {errorGroups.size === 0 ? <p className="muted">none</p> : [...errorGroups].map(([msg, list]) => (
        <div key={msg}>
          <p className="error">{msg} ({list.length})</p>
          <TraceList traces={list} testId="examples-errors" />
        </div>
      ))}
      <h3>Typical</h3>
      <TraceList traces={typical?.traces} testId="examples-typical" />
    </>
  );
}

function TraceList({ traces, testId }: { traces: Example[] | undefined; testId: string }) {
  if (!traces) return <p className="muted">loading…</p>;
  if (traces.length === 0) return <p className="muted">none</p>;
  return (
    <ul className="traces" data-testid={testId}>
      {traces.map((t) => (
        <li key={`${t.traceId}-${t.start}`}>
          <a href={`/traces/${t.traceId}`}>{formatMs(t.durationMs)}</a> <span className="muted">{new Date(t.start).toLocaleTimeString()}</span>
        </li>
      ))}
    </ul>
  );
}

function NodeDetails({ graph, id, onFocus }: { graph: Graph; id: string; onFocus: (node: string) => void }) {
  const node = graph.nodes.find((n) => n.id === id);
  if (!node) return <p>{id} has no traffic in the selected time range.</p>;
  const callers = graph.edges.filter((e) => e.target === id);
  const callees = graph.edges.filter((e) => e.source === id);
  const quality = qualityText(node.quality);
  return (
    <>
      <h2>{node.name}</h2>
      <p className="muted">{node.type}</p>
      <dl className="figures">
        <dt>Rate</dt><dd>{formatRate(node.ratePerSec)}</dd>
        <dt>Errors</dt><dd>{formatPercent(node.errorRate)}</dd>
        <dt>p50 / p95 / p99</dt><dd>{formatMs(node.p50)} / {formatMs(node.p95)} / {formatMs(node.p99)}</dd>
      </dl>
      {quality && <p className="banner" data-testid="quality-note">{quality}</p>}
      <button type="button" onClick={() => onFocus(id)}>Focus on {node.name}</button>
      <h3>Called by</h3>
      <ul>{callers.map((e) => <li key={e.id}>{e.source} ({formatRate(e.ratePerSec)})</li>)}</ul>
      <h3>Calls</h3>
      <ul>{callees.map((e) => <li key={e.id}>{e.target} ({formatRate(e.ratePerSec)})</li>)}</ul>
    </>
  );
}
