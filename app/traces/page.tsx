import { parseServiceViewState, servicePath } from "@/app/services/url";
import TraceScatter from "@/app/traces/components/TraceScatter";
import { parseTraceSearch, type TraceSearch } from "@/lib/domain/trace-search";
import { parseWindow } from "@/lib/model/window";
import { rangeParams } from "@/app/(map)/url";
import { webPrisma, webSql } from "@/lib/query/web-pool";
import PageError from "@/app/components/PageError";
import { findTraces, loadServicesSeen, type ServiceSeen, type TraceHit } from "@/lib/query/traces";

export const dynamic = "force-dynamic";

const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TracesPage({ searchParams }: { searchParams: SearchParams }) {
  let q: TraceSearch;
  let services: ServiceSeen[];
  let hits: TraceHit[];
  try {
    q = parseTraceSearch(await searchParams);
    const range = parseWindow(rangeParams(q));
    [services, hits] = await Promise.all([loadServicesSeen(webPrisma()), findTraces(webSql(), q, range, 200)]);
  } catch (err) {
    return <PageError what="the search" error={err} />;
  }
  return (
    <>
      <h1>Traces</h1>
      <form className="controls" method="get" aria-label="Trace search">
        <label>
          Service
          <select name="service" defaultValue={q.service ?? ""}>
            <option value="">any</option>
            {services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Operation <input name="operation" defaultValue={q.operation ?? ""} placeholder="span name" />
        </label>
        <label>
          Min ms{" "}
          <input name="minMs" type="number" min={0} step="any" defaultValue={q.minMs ?? ""} style={{ width: 80 }} />
        </label>
        <label>
          Max ms{" "}
          <input name="maxMs" type="number" min={0} step="any" defaultValue={q.maxMs ?? ""} style={{ width: 80 }} />
        </label>
        <label>
          Status
          <select name="status" defaultValue={q.status}>
            <option value="any">any</option>
            <option value="error">error</option>
            <option value="ok">ok</option>
          </select>
        </label>
        {[...q.attributes, null].map((a) => (
          <label key={a ? `${a.key}=${a.value}` : "new"}>
            Attribute{" "}
            <input name="attr" defaultValue={a ? `${a.key}=${a.value}` : ""} placeholder="http.route=/checkout" />
          </label>
        ))}
        <label>
          From <input name="from" defaultValue={q.from} style={{ width: 110 }} />
        </label>
        <label>
          To <input name="to" defaultValue={q.to} style={{ width: 110 }} />
        </label>
        <button type="submit">Search</button>
      </form>
      {services.length === 0 ? (
        <div className="empty" data-testid="empty-state">
          <p>No spans yet. Point an OpenTelemetry SDK or Collector at Tracemap:</p>
          <pre>{`OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318   # OTLP/HTTP (protobuf or JSON)
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
# or gRPC on :4317, or Zipkin v2 JSON to http://localhost:9411/api/v2/spans`}</pre>
        </div>
      ) : (
        <>
          <p className="muted" data-testid="hit-count">
            {hits.length === 200 ? "200+ traces (newest shown)" : `${hits.length} traces`}
          </p>
          <TraceScatter
            points={hits.map((h) => ({
              traceId: h.traceId,
              t: h.start.getTime(),
              ms: Number(h.durationNs) / 1e6,
              error: h.statusCode === 2,
              label: h.name,
            }))}
          />
          <table data-testid="traces">
            <thead>
              <tr>
                <th>Span</th>
                <th>Service</th>
                <th>Start</th>
                <th className="num">Duration</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((t) => (
                <tr key={t.traceId}>
                  <td>
                    <a href={`/traces/${t.traceId}?span=${t.spanId}`}>{t.name || "(unnamed)"}</a>
                  </td>
                  <td>{t.service}</td>
                  <td>{t.start.toISOString()}</td>
                  <td className="num">{formatMs(Number(t.durationNs) / 1e6)}</td>
                  <td>{t.statusCode === 2 ? <span className="error">error</span> : "ok"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Services seen in the last 24 hours</h2>
          <table data-testid="services">
            <thead>
              <tr>
                <th>Service</th>
                <th className="num">Spans</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {services.map((s) => (
                <tr key={s.name}>
                  <td>
                    <a href={`/traces?service=${encodeURIComponent(s.name)}`}>{s.name}</a>{" "}
                    <a className="muted" href={servicePath(s.name, parseServiceViewState({}))}>
                      (service page)
                    </a>
                  </td>
                  <td className="num">{s.spans}</td>
                  <td>
                    <time dateTime={s.lastSeen.toISOString()}>{s.lastSeen.toISOString()}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
