"use client";

import { useEffect, useState } from "react";
import type { Graph } from "@/lib/query/graph";
import type { Selection } from "@/app/(map)/url";
import { formatMs, formatPercent, formatRate, HEALTH, healthOf, qualityText } from "@/app/components/map-style";
import { formatDiff, type Diff } from "@/lib/domain/compare";

const changeText = (d: Diff | undefined) =>
  d
    ? [
        formatDiff(d, "rate"),
        d.status === "same" ? `errors ${formatDiff(d, "errors")}` : "",
        d.status === "same" ? `p95 ${formatDiff(d, "p95")}` : "",
      ]
        .filter((x) => x && !/ $/.test(x))
        .join(", ")
    : "";

interface Props {
  graph: Pick<Graph, "nodes" | "edges">;
  selected: Selection | null;
  matches: Set<string>;
  onSelect: (s: Selection) => void;
  /** Under the graph: a collapsed list; as the table view: open. */
  compact: boolean;
}

/** The same nodes and edges as the map, as an accessible table; rows select like clicks on the map. */
export default function MapTable({ graph, selected, matches, onSelect, compact }: Props) {
  const isSel = (kind: Selection["kind"], id: string) => selected?.kind === kind && selected.id === id;
  const comparing = graph.edges.some((e) => e.diff) || graph.nodes.some((n) => n.diff);
  // Rows exist only while the list is open: thousands of hidden rows made every map render and click slow.
  const [open, setOpen] = useState(!compact);
  useEffect(() => setOpen(!compact), [compact]);
  return (
    <details className="map-table" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="map-table">
      <summary>
        {graph.nodes.length} nodes, {graph.edges.length} edges (table)
      </summary>
      {open && (
        <>
          <table>
            <caption>Edges</caption>
            <thead>
              <tr>
                <th>Call</th>
                <th className="num">Rate</th>
                <th className="num">Errors</th>
                <th>Health</th>
                <th className="num">Client p50 / p95 / p99</th>
                <th className="num">Server p50 / p95 / p99</th>
                {comparing && <th>Change</th>}
              </tr>
            </thead>
            <tbody>
              {graph.edges.map((e) => (
                <tr
                  key={e.id}
                  aria-selected={isSel("edge", e.id)}
                  className={isSel("edge", e.id) ? "selected" : undefined}
                  data-edge={e.id}
                >
                  <td>
                    <button type="button" className="link" onClick={() => onSelect({ kind: "edge", id: e.id })}>
                      {e.source} → {e.target}
                    </button>
                    {e.connectionType !== "rpc" && <span className="muted"> ({e.broker ?? e.connectionType})</span>}
                  </td>
                  <td className="num">{formatRate(e.ratePerSec)}</td>
                  <td className="num">{formatPercent(e.errorRate)}</td>
                  <td>{HEALTH[healthOf(e.requests, e.errorRate, e.health)].label}</td>
                  <td className="num">
                    {formatMs(e.client.p50)} / {formatMs(e.client.p95)} / {formatMs(e.client.p99)}
                  </td>
                  <td className="num">
                    {formatMs(e.server.p50)} / {formatMs(e.server.p95)} / {formatMs(e.server.p99)}
                  </td>
                  {comparing && <td data-testid="change">{changeText(e.diff)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <table>
            <caption>Nodes</caption>
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th className="num">Rate</th>
                <th className="num">Errors</th>
                <th className="num">p95</th>
                <th>Data quality</th>
                {comparing && <th>Change</th>}
              </tr>
            </thead>
            <tbody>
              {graph.nodes.map((n) => (
                <tr
                  key={n.id}
                  aria-selected={isSel("node", n.id)}
                  className={
                    [isSel("node", n.id) ? "selected" : "", matches.has(n.id) ? "match" : ""].join(" ").trim() ||
                    undefined
                  }
                  data-node={n.id}
                >
                  <td>
                    <button type="button" className="link" onClick={() => onSelect({ kind: "node", id: n.id })}>
                      {n.name}
                    </button>
                  </td>
                  <td>{n.type}</td>
                  <td className="num">{formatRate(n.ratePerSec)}</td>
                  <td className="num">{formatPercent(n.errorRate)}</td>
                  <td className="num">{formatMs(n.p95)}</td>
                  <td>{qualityText(n.quality) || <span className="muted">ok</span>}</td>
                  {comparing && <td>{changeText(n.diff)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </details>
  );
}
