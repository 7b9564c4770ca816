import { notFound } from "next/navigation";
import { webSql } from "@/lib/query/web-pool";
import { isTraceId, loadTrace, pinOf } from "@/lib/query/traces";
import TraceWaterfall from "@/app/traces/[traceId]/components/TraceWaterfall";
import TraceMap from "@/app/traces/[traceId]/components/TraceMap";
import KeepButton from "@/app/traces/[traceId]/components/KeepButton";
import { traceServiceMap } from "@/app/traces/[traceId]/trace-map";
import { traceRowsJson } from "@/app/traces/[traceId]/trace-wire";
import { formatDuration, serviceColor } from "@/app/components/service-colors";

export const dynamic = "force-dynamic";

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId: raw } = await params;
  const traceId = raw.toLowerCase();
  // Anything but 32 hex characters got a 400 from the proxy (lib/http/page-params.ts) before reaching here.
  if (!isTraceId(traceId)) notFound();
  const [rows, pin] = await Promise.all([loadTrace(webSql(), traceId), pinOf(webSql(), traceId)]);
  if (rows.length === 0) notFound();
  const total = rows.reduce((m, r) => Math.max(m, r.offsetMs + r.durationMs), 0.001);
  const services = [...new Set(rows.map((r) => r.service))].sort();
  return (
    <>
      <h1>
        Trace <code>{traceId}</code>
      </h1>
      <p className="muted">
        {rows.length} spans, {formatDuration(total)} · ◆ marks the critical path (what the request waited for) ·{" "}
        <a href={`/traces/compare?a=${traceId}`}>compare with another trace</a>
      </p>
      <p className="legend" data-testid="service-legend">
        {services.map((s) => (
          <span key={s} className="chip">
            <span className="swatch" style={{ background: serviceColor(s) }} /> {s}
          </span>
        ))}
        <span className="chip">
          <span className="swatch" style={{ background: "var(--err)" }} /> error
        </span>
      </p>
      <KeepButton
        traceId={traceId}
        pin={pin && { pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt.toISOString(), note: pin.note }}
      />
      <TraceMap {...traceServiceMap(rows)} />
      <TraceWaterfall rowsJson={traceRowsJson(rows)} traceId={traceId} />
    </>
  );
}
