import { redirect } from "next/navigation";
import { parseServiceViewState, servicePath } from "@/app/services/url";
import TraceScatter from "@/app/traces/components/TraceScatter";
import { PAGE_SIZE, parseTraceSearch, SEARCH_KINDS, TRACE_SORTS, type TraceSearch } from "@/lib/domain/trace-search";
import { NO_ENVIRONMENT, parseWindow, type Window } from "@/lib/model/window";
import { rangeParams } from "@/app/(map)/url";
import { webPrisma, webSql } from "@/lib/query/web-pool";
import PageError from "@/app/components/PageError";
import { formatDuration, serviceColor } from "@/app/components/service-colors";
import {
  isTraceId,
  loadPinnedTraces,
  loadServicesSeen,
  searchTracePage,
  type ServiceSeen,
  type TraceResult,
} from "@/lib/query/traces";
import { badRequest } from "@/lib/errors";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TracesPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const openId = typeof params.traceId === "string" ? params.traceId.trim().toLowerCase() : "";
  if (openId && isTraceId(openId.padStart(32, "0"))) redirect(`/traces/${openId.padStart(32, "0")}`);
  let q: TraceSearch;
  let services: ServiceSeen[];
  let page: { results: TraceResult[]; more: boolean };
  let range: Window;
  const pinned = params.pinned === "1";
  try {
    if (openId) throw badRequest(`not a trace id: "${openId.slice(0, 64)}" (expected up to 32 hex digits)`);
    q = parseTraceSearch(params);
    range = parseWindow(rangeParams(q));
    [services, page] = await Promise.all([
      loadServicesSeen(webPrisma()),
      pinned ? loadPinnedTraces(webSql(), webPrisma()) : searchTracePage(webSql(), q, range),
    ]);
  } catch (err) {
    return <PageError what="the search" error={err} />;
  }
  const pageLink = (n: number) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      for (const x of Array.isArray(v) ? v : v ? [v] : []) if (k !== "page") u.append(k, x);
    u.set("page", String(n));
    return `/traces?${u}`;
  };
  const { results } = page;
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
        <label>
          Kind
          <select name="kind" defaultValue={q.kind === null ? "" : SEARCH_KINDS[q.kind - 1]}>
            <option value="">any</option>
            {SEARCH_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select name="sort" defaultValue={q.sort}>
            {TRACE_SORTS.map((k) => (
              <option key={k} value={k}>
                {k === "errors" ? "most errors" : k}
              </option>
            ))}
          </select>
        </label>
        {[...q.attributes, null].map((a) => (
          <label key={a ? `${a.key}=${a.value}` : "new"}>
            Attribute{" "}
            <input name="attr" defaultValue={a ? `${a.key}=${a.value}` : ""} placeholder="http.route=/checkout" />
          </label>
        ))}
        <label>
          Environment{" "}
          <input
            name="env"
            defaultValue={q.envs.map((e) => e || NO_ENVIRONMENT).join(",")}
            placeholder="all"
            style={{ width: 110 }}
          />
        </label>
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
            {pinned
              ? `${results.length} pinned traces (kept past raw-span retention)`
              : `${results.length} traces on page ${q.page}${page.more ? " (more on the next page)" : ""}, ${q.sort === "errors" ? "most errors" : q.sort} first, ${range.from.toISOString()} to ${range.to.toISOString()}${q.envs.length ? `, environment ${q.envs.map((e) => e || NO_ENVIRONMENT).join(", ")}` : ""}`}
            {" · "}
            <a href={pinned ? "/traces" : "/traces?pinned=1"}>{pinned ? "search" : "pinned traces"}</a>
          </p>
          <TraceScatter
            from={range.from.getTime()}
            to={range.to.getTime()}
            points={results.map(({ hit, summary }) => ({
              traceId: hit.traceId,
              t: Number(BigInt(summary.minStartTimeUnixNano) / 1_000_000n),
              ms: Number(BigInt(summary.maxEndTimeUnixNano) - BigInt(summary.minStartTimeUnixNano)) / 1e6,
              error: summary.errorSpanCount > 0,
              label: `${summary.rootServiceName}: ${summary.rootOperationName}`,
            }))}
          />
          <form method="get" action="/traces/compare" aria-label="Compare two traces">
            <table data-testid="traces">
              <thead>
                <tr>
                  <th title="pick two to compare">A</th>
                  <th>B</th>
                  <th>Root</th>
                  <th>Matching span</th>
                  <th>Start</th>
                  <th className="num">Duration</th>
                  <th className="num">Spans</th>
                  <th className="num">Errors</th>
                  <th>Services</th>
                </tr>
              </thead>
              <tbody>
                {results.map(({ hit: t, summary: s, pin }) => (
                  <tr key={t.traceId} data-trace={t.traceId}>
                    <td>
                      <input type="radio" name="a" value={t.traceId} aria-label={`compare ${t.traceId} as A`} />
                    </td>
                    <td>
                      <input type="radio" name="b" value={t.traceId} aria-label={`compare ${t.traceId} as B`} />
                    </td>
                    <td>
                      <span className="swatch" style={{ background: serviceColor(s.rootServiceName) }} />{" "}
                      {s.rootServiceName}: {s.rootOperationName || "(unnamed)"}
                    </td>
                    <td>
                      <a href={t.spanId ? `/traces/${t.traceId}?span=${t.spanId}` : `/traces/${t.traceId}`}>
                        {t.name || "(unnamed)"}
                      </a>
                      <span className="muted"> {t.service}</span>
                      {pin && (
                        <span className="muted" data-testid="pin-note">
                          {` · kept by ${pin.pinnedBy} at ${pin.pinnedAt.toISOString()}${pin.note ? `: ${pin.note}` : ""}`}
                        </span>
                      )}
                    </td>
                    <td>{new Date(Number(BigInt(s.minStartTimeUnixNano) / 1_000_000n)).toISOString()}</td>
                    <td className="num">
                      {formatDuration(Number(BigInt(s.maxEndTimeUnixNano) - BigInt(s.minStartTimeUnixNano)) / 1e6)}
                    </td>
                    <td className="num">{s.spanCount}</td>
                    <td className="num">
                      {s.errorSpanCount > 0 ? <span className="error">{s.errorSpanCount}</span> : 0}
                    </td>
                    <td>
                      {s.services.map((x) => (
                        <span key={x.name} className="chip" title={`${x.spanCount} spans, ${x.errorSpanCount} errors`}>
                          <span className="swatch" style={{ background: serviceColor(x.name) }} /> {x.name}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="controls">
              <button type="submit">Compare A with B</button>
              {!pinned && q.page > 1 && <a href={pageLink(q.page - 1)}>← previous page</a>}
              {!pinned && page.more && <a href={pageLink(q.page + 1)}>next page →</a>}
              <span className="muted">{PAGE_SIZE} traces a page</span>
            </p>
          </form>
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
