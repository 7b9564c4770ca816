import { loadOverview, type Overview } from "@/lib/query/overview";

export const dynamic = "force-dynamic";

const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

export default async function RecentTracesPage() {
  let overview: Overview;
  try {
    overview = await loadOverview();
  } catch (err) {
    return <p className="banner" role="alert">Database unavailable: {(err as Error).message}. Spans sent now get 503 and are retried by exporters.</p>;
  }
  const { services, traces } = overview;
  return (
    <>
      <h1>Services and recent traces</h1>
      {services.length === 0 ? (
        <div className="empty" data-testid="empty-state">
          <p>No spans yet. Point an OpenTelemetry SDK or Collector at Tracemap:</p>
          <pre>{`OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318   # OTLP/HTTP (protobuf or JSON)
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
# or gRPC on :4317, or Zipkin v2 JSON to http://localhost:9411/api/v2/spans`}</pre>
        </div>
      ) : (
        <table data-testid="services">
          <thead><tr><th>Service</th><th className="num">Spans</th><th>Last seen</th></tr></thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="num">{s.spans}</td>
                <td><time dateTime={s.lastSeen.toISOString()}>{s.lastSeen.toISOString()}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent traces (last hour)</h2>
      {traces.length === 0 ? (
        <p className="muted">No root spans in the last hour.</p>
      ) : (
        <table data-testid="traces">
          <thead><tr><th>Root</th><th>Service</th><th>Start</th><th className="num">Duration</th><th>Status</th></tr></thead>
          <tbody>
            {traces.map((t) => (
              <tr key={t.traceId}>
                <td><a href={`/traces/${t.traceId}`}>{t.rootName || "(unnamed)"}</a></td>
                <td>{t.rootService}</td>
                <td>{t.start.toISOString()}</td>
                <td className="num">{formatMs(t.durationMs)}</td>
                <td>{t.error ? <span className="error">error</span> : "ok"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
