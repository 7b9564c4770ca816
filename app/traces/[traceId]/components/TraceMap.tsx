import { formatDuration, serviceColor } from "@/app/components/service-colors";
import type { TraceMapEdge, TraceMapNode } from "@/app/traces/[traceId]/trace-map";
import { RANK_GAP, ROW_GAP } from "@/app/components/layout";

// Wide enough for "service (N spans)" labels under the nodes and call counts on the edges between ranks.
const SCALE_X = 1;
const SCALE_Y = 0.8;
const PAD = 110;

/** The services one trace touched, drawn small with the layered layout of the main map. Static SVG, text only. */
export default function TraceMap({ nodes, edges }: { nodes: TraceMapNode[]; edges: TraceMapEdge[] }) {
  if (nodes.length === 0) return null;
  const xs = nodes.map((n) => n.position.x * SCALE_X);
  const ys = nodes.map((n) => n.position.y * SCALE_Y);
  const minX = Math.min(...xs) - PAD;
  const minY = Math.min(...ys) - 30;
  const width = Math.max(...xs) - minX + PAD + (RANK_GAP * SCALE_X) / 4;
  const height = Math.max(...ys) - minY + (ROW_GAP * SCALE_Y) / 2;
  const at = new Map(nodes.map((n) => [n.id, { x: n.position.x * SCALE_X - minX, y: n.position.y * SCALE_Y - minY }]));
  return (
    <details className="trace-map" open={nodes.length <= 30}>
      <summary>
        Trace map: {nodes.length} services, {edges.length} calls between them
      </summary>
      <svg width={width} height={height} role="img" aria-label="Services in this trace" data-testid="trace-map">
        <defs>
          <marker
            id="tm-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#888" />
          </marker>
        </defs>
        {edges.map((e) => {
          const a = at.get(e.source)!;
          const b = at.get(e.target)!;
          return (
            <g key={`${e.source}->${e.target}`} data-edge={`${e.source}->${e.target}`}>
              <line
                x1={a.x + 8}
                y1={a.y}
                x2={b.x - 8}
                y2={b.y}
                markerEnd="url(#tm-arrow)"
                strokeWidth={e.errors ? 2 : 1}
                stroke={e.errors ? "#CC3311" : undefined}
              />
              <text x={a.x + (b.x - a.x) * 0.55} y={a.y + (b.y - a.y) * 0.55 - 5} textAnchor="middle">
                {`${e.calls}× · ${formatDuration(e.timeMs)}${e.errors ? `, ${e.errors} failed` : ""}`}
              </text>
            </g>
          );
        })}
        {nodes.map((n) => {
          const p = at.get(n.id)!;
          return (
            <g key={n.id} data-node={n.id}>
              {n.type === "service" ? (
                <circle cx={p.x} cy={p.y} r={7} fill={n.errors ? "#CC3311" : serviceColor(n.id)} />
              ) : (
                <rect x={p.x - 7} y={p.y - 7} width={14} height={14} fill={n.errors ? "#CC3311" : "#BBBBBB"} />
              )}
              <text x={p.x} y={p.y + 20} textAnchor="middle">
                {n.id} ({n.spans} {n.type === "service" ? "spans" : `calls, ${n.type}`})
              </text>
            </g>
          );
        })}
      </svg>
    </details>
  );
}
