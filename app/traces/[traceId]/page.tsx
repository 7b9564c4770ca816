import { webSql } from "@/lib/db/web-pool";
import { isTraceId, loadTrace } from "@/lib/query/overview";

export const dynamic = "force-dynamic";

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId: raw } = await params;
  const traceId = raw.toLowerCase();
  if (!isTraceId(traceId)) return <p className="banner" role="alert">Not a trace id: expected 32 hex characters.</p>;
  const rows = await loadTrace(webSql(), traceId);
  if (rows.length === 0) return <p className="empty">Trace {traceId} has no stored spans (yet, or any more).</p>;
  const total = Math.max(...rows.map((r) => r.offsetMs + r.durationMs), 0.001);
  return (
    <>
      <h1>Trace <code>{traceId}</code></h1>
      <p className="muted">{rows.length} spans, {total.toFixed(1)} ms · ◆ marks the critical path (what the request waited for)</p>
      <table data-testid="waterfall">
        <thead><tr><th>Span</th><th>Service</th><th>Kind</th><th style={{ width: "30%" }}>Timeline</th><th className="num">Duration</th><th className="num">Self</th><th>Attributes</th></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.spanId}-${i}`} data-service={r.service} data-kind={r.kind} data-critical={r.critical ? "true" : "false"} className={r.critical ? "critical" : undefined}>
              <td style={{ paddingLeft: 8 + r.depth * 16 }}>
                {r.critical && <span className="crit" title="on the critical path">◆ </span>}
                {r.name || "(unnamed)"}
                {r.orphan && <span className="muted" title="its parent span never arrived"> (parent missing)</span>}
                {r.error && <span className="error"> error{r.statusMessage ? `: ${r.statusMessage}` : ""}</span>}
              </td>
              <td>{r.service}</td>
              <td>{r.kind}</td>
              <td>
                <div style={{ marginLeft: `${(r.offsetMs / total) * 100}%`, width: `${(r.durationMs / total) * 100}%` }} className={r.error ? "bar err" : "bar"} />
              </td>
              <td className="num">{r.durationMs.toFixed(2)} ms</td>
              <td className="num">{r.selfMs.toFixed(2)} ms</td>
              <td>
                <pre>{r.attributes.map(([k, v]) => `${k}=${v}`).join("\n")}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
