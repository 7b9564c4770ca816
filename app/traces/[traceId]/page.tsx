import { webSql } from "@/lib/query/web-pool";
import { isTraceId, loadTrace } from "@/lib/query/traces";
import TraceWaterfall from "@/app/traces/[traceId]/components/TraceWaterfall";
import TraceMap from "@/app/traces/[traceId]/components/TraceMap";
import { traceServiceMap } from "@/app/traces/[traceId]/trace-map";
import { traceRowsJson } from "@/app/traces/[traceId]/trace-wire";

export const dynamic = "force-dynamic";

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId: raw } = await params;
  const traceId = raw.toLowerCase();
  if (!isTraceId(traceId))
    return (
      <p className="banner" role="alert">
        Not a trace id: expected 32 hex characters.
      </p>
    );
  const rows = await loadTrace(webSql(), traceId);
  if (rows.length === 0) return <p className="empty">Trace {traceId} has no stored spans (yet, or any more).</p>;
  const total = rows.reduce((m, r) => Math.max(m, r.offsetMs + r.durationMs), 0.001);
  return (
    <>
      <h1>
        Trace <code>{traceId}</code>
      </h1>
      <p className="muted">
        {rows.length} spans, {total.toFixed(1)} ms · ◆ marks the critical path (what the request waited for)
      </p>
      <TraceMap {...traceServiceMap(rows)} />
      <TraceWaterfall rowsJson={traceRowsJson(rows)} traceId={traceId} />
    </>
  );
}
