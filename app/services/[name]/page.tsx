import { notFound } from "next/navigation";
import ServiceCharts from "@/app/services/[name]/components/ServiceCharts";
import AsOf from "@/app/components/AsOf";
import { formatMs, formatPercent, formatRate, qualityText } from "@/app/components/map-style";
import { mapPath, parseServiceViewState, servicePath, windowParams, type ServiceViewState } from "@/app/services/url";
import type { GraphEdge } from "@/lib/domain/graph-model";
import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import PageError from "@/app/components/PageError";
import { loadServiceDetail, type ServiceDetail } from "@/lib/query/service";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const WINDOWS = ["now-15m", "now-1h", "now-6h", "now-24h", "now-7d"];

export default async function ServicePage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: SearchParams;
}) {
  const name = decodeURIComponent((await params).name);
  const state = parseServiceViewState(await searchParams);
  let detail: ServiceDetail;
  try {
    detail = await loadServiceDetail(webSql(), name, parseWindow(windowParams(state)), null);
  } catch (err) {
    return <PageError what={name} error={err} />;
  }
  if (!detail.known) notFound();
  const node = detail.node;
  const quality = node ? qualityText(node.quality) : null;
  // Trace search in the same scope: the environments, and each dimension as an attribute filter (a dimension's value
  // is the resource's attribute, else the span's, which is what an attribute filter matches).
  const traces = (operation?: string) => {
    const q = new URLSearchParams({
      service: name,
      from: state.from,
      to: state.to,
      ...(operation ? { operation } : {}),
    });
    if (state.env) q.set("env", state.env);
    for (const d of state.dims ?? []) q.append("attr", d.replace(":", "="));
    return `/traces?${q}`;
  };
  const scope = [
    ...(state.env ? [`environment ${state.env}`] : []),
    ...(state.dims ?? []).map((d) => d.replace(":", " = ")),
  ];
  return (
    <div className="service-page">
      <h1>{name}</h1>
      <nav className="controls" aria-label="Time window">
        {WINDOWS.map((w) => (
          <a
            key={w}
            href={servicePath(name, { ...state, from: w, to: "now" })}
            aria-current={state.from === w && state.to === "now" ? "page" : undefined}
          >
            {w.replace("now-", "last ")}
          </a>
        ))}
        <span className="muted">
          {new Date(detail.from).toLocaleString()} – {new Date(detail.to).toLocaleString()}
        </span>
        {scope.length > 0 && (
          <span data-testid="service-scope">
            only {scope.join(", ")} (<a href={servicePath(name, { from: state.from, to: state.to })}>all</a>)
          </span>
        )}
        <a href={mapPath(state, { kind: "node", id: name })}>Show on map</a>
        <a href={traces()}>Search its traces</a>
      </nav>
      {!node ? (
        <p className="empty">{name} sent no spans and received no calls in this window.</p>
      ) : (
        <dl className="figures" data-testid="service-figures">
          <dt>Rate</dt>
          <dd>
            {formatRate(node.ratePerSec)} ({Math.round(node.requests)} requests)
          </dd>
          <dt>Errors</dt>
          <dd>
            {formatPercent(node.errorRate)} ({Math.round(node.errors)})
          </dd>
          <dt>p50 / p95 / p99</dt>
          <dd>
            {formatMs(node.p50)} / {formatMs(node.p95)} / {formatMs(node.p99)}
          </dd>
        </dl>
      )}
      {quality && (
        <p className="banner" data-testid="quality-note">
          {quality}
        </p>
      )}
      {node && (
        <p className="muted" data-testid="quality-figures">
          Data quality: {node.quality.orphanSpans} spans with a missing parent, {node.quality.unpairedClientSpans}{" "}
          client spans nobody answered, {node.quality.unpairedServerSpans} server spans without their client,{" "}
          {node.quality.rootServerSpans} root server spans.
        </p>
      )}
      {detail.deploys.length > 0 && (
        <p data-testid="deploys">
          Deploys: {detail.deploys.map((d) => `${d.version} at ${new Date(d.at).toLocaleTimeString()}`).join(", ")}
        </p>
      )}
      <p>
        <AsOf settledUntil={detail.settledUntil} />
      </p>
      <ServiceCharts
        series={detail.series}
        deploys={detail.deploys}
        from={Date.parse(detail.from)}
        to={Date.parse(detail.to)}
      />
      <h2>Operations</h2>
      <p className="muted">What {name} serves: its server and consumer spans by name.</p>
      {detail.operations.length === 0 ? (
        <p className="muted">none in this window</p>
      ) : (
        <table data-testid="operations">
          <thead>
            <tr>
              <th>Operation</th>
              <th className="num">Rate</th>
              <th className="num">Errors</th>
              <th className="num">p50</th>
              <th className="num">p95</th>
              <th className="num">p99</th>
            </tr>
          </thead>
          <tbody>
            {detail.operations.map((o) => (
              <tr key={o.name} data-operation={o.name}>
                <td>
                  <a href={traces(o.name)}>{o.name}</a>
                </td>
                <td className="num">{formatRate(o.ratePerSec)}</td>
                <td className="num">{formatPercent(o.errorRate)}</td>
                <td className="num">{formatMs(o.p50)}</td>
                <td className="num">{formatMs(o.p95)}</td>
                <td className="num">{formatMs(o.p99)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Versions</h2>
      <p className="muted">
        Server and consumer spans per service.version in this window, from the stored spans (raw retention); Δ is
        against the version before it.
      </p>
      {detail.versions.length === 0 ? (
        <p className="muted">no stored spans in this window</p>
      ) : (
        <table data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>First seen</th>
              <th className="num">Calls</th>
              <th className="num">Errors</th>
              <th className="num">p50</th>
              <th className="num">p95</th>
              <th className="num">Δ p95</th>
            </tr>
          </thead>
          <tbody>
            {detail.versions.map((v, i) => {
              const before = detail.versions[i - 1];
              const delta = before ? v.p95 - before.p95 : null;
              return (
                <tr key={v.version} data-version={v.version}>
                  <td>{v.version || "(none)"}</td>
                  <td>{v.firstSeen.toISOString()}</td>
                  <td className="num">{v.requests}</td>
                  <td className="num">{formatPercent(v.requests > 0 ? v.failed / v.requests : 0)}</td>
                  <td className="num">{formatMs(v.p50)}</td>
                  <td className="num">{formatMs(v.p95)}</td>
                  <td className="num" data-testid="version-delta">
                    {delta === null ? "" : `${delta >= 0 ? "+" : "−"}${formatMs(Math.abs(delta))}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h2>Called by</h2>
      <EdgeTable edges={detail.callers} other="source" state={state} testId="callers" />
      <h2>Calls</h2>
      <EdgeTable edges={detail.callees} other="target" state={state} testId="callees" />
    </div>
  );
}

function EdgeTable({
  edges,
  other,
  state,
  testId,
}: {
  edges: GraphEdge[];
  other: "source" | "target";
  state: ServiceViewState;
  testId: string;
}) {
  if (edges.length === 0) return <p className="muted">none in this window</p>;
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>{other === "source" ? "Caller" : "Callee"}</th>
          <th>Type</th>
          <th className="num">Rate</th>
          <th className="num">Errors</th>
          <th className="num">Client p95</th>
          <th className="num">Server p95</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {edges.map((e) => (
          <tr key={e.id} data-peer={e[other]}>
            <td>
              <a href={servicePath(e[other], state)}>{e[other]}</a>
            </td>
            <td>{e.connectionType}</td>
            <td className="num">{formatRate(e.ratePerSec)}</td>
            <td className="num">{formatPercent(e.errorRate)}</td>
            <td className="num">{formatMs(e.client.p95)}</td>
            <td className="num">{formatMs(e.server.p95)}</td>
            <td>
              <a href={mapPath(state, { kind: "edge", id: e.id })}>on map</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
