import type { Window } from "../model/window";
import { addToHistogram, type Histogram, quantilesMs } from "../model/histogram";
import { decodeChunk } from "../domain/trace-chunk";
import { startsWithin } from "../domain/span-match";
import type { Queryable } from "./pool";
import { chunkOverlaps, chunksInWindow, resourcesById } from "./chunk-reads";

export interface VersionFiguresRow {
  version: string;
  requests: number;
  failed: number;
  p50: number;
  p95: number;
  firstSeen: Date;
}

const FAILED_HTTP = /^5[0-9][0-9]$/;

/**
 * A service's server and consumer spans per service.version over the window, from the stored spans (raw and
 * compacted, so within span retention): calls, failures (error status, or HTTP 5xx with the status unset, as the
 * map counts them), p50 and p95 in ms. Ordered by first appearance, so consecutive rows read as deploys. Exact
 * percentiles while every span of the window is raw; with compacted ones, from the map's latency histogram (within
 * 1%), as raw and compacted spans are counted apart and merged.
 */
export async function versionFigures(sql: Queryable, service: string, w: Window): Promise<VersionFiguresRow[]> {
  if (!(await chunksInWindow(sql, w, service))) return rawVersionFigures(sql, service, w);
  const figures = new Map<string, { requests: number; failed: number; hist: Histogram; firstSeen: number }>();
  const add = (version: string, requests: number, failed: number, hist: Histogram, firstSeen: number) => {
    const f = figures.get(version) ?? { requests: 0, failed: 0, hist: {}, firstSeen };
    f.requests += requests;
    f.failed += failed;
    for (const [b, n] of Object.entries(hist)) f.hist[b] = (f.hist[b] ?? 0) + n;
    f.firstSeen = Math.min(f.firstSeen, firstSeen);
    figures.set(version, f);
  };
  for (const r of await rawVersionBuckets(sql, service, w))
    add(r.version, r.requests, r.failed, { [r.bucket]: r.requests }, r.firstSeen.getTime());
  const chunks = () =>
    sql<{ traceId: string; payload: Buffer }[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", payload FROM trace_chunks
    WHERE ${chunkOverlaps(sql, w)} AND services @> ARRAY[${service}::text]`;
  // Counted per resource while the cursor reads (no other query may run on its connection meanwhile), then per
  // version.
  const perResource = new Map<string, { requests: number; failed: number; hist: Histogram; firstSeen: number }>();
  for await (const rows of chunks().cursor(500)) {
    for (const r of rows)
      for (const s of decodeChunk(r.traceId, r.payload)) {
        if (s.serviceName !== service || (s.kind !== 2 && s.kind !== 5) || !startsWithin(s.startNs, w)) continue;
        const http = s.attributes["http.response.status_code"] ?? s.attributes["http.status_code"] ?? "";
        const failed = s.statusCode === 2 || (s.statusCode === 0 && FAILED_HTTP.test(String(http)));
        const start = Number(s.startNs / 1_000_000n);
        const f = perResource.get(s.resourceId) ?? { requests: 0, failed: 0, hist: {}, firstSeen: start };
        f.requests++;
        if (failed) f.failed++;
        addToHistogram(f.hist, Number(s.durationNs));
        f.firstSeen = Math.min(f.firstSeen, start);
        perResource.set(s.resourceId, f);
      }
  }
  const resources = await resourcesById(sql, perResource.keys());
  for (const [id, f] of perResource)
    add(String(resources.get(id)?.["service.version"] ?? ""), f.requests, f.failed, f.hist, f.firstSeen);
  return [...figures]
    .map(([version, f]) => {
      const [p50, p95] = quantilesMs(f.hist, [0.5, 0.95]);
      return {
        version,
        requests: f.requests,
        failed: f.failed,
        p50: p50 ?? 0,
        p95: p95 ?? 0,
        firstSeen: new Date(f.firstSeen),
      };
    })
    .sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime())
    .slice(0, 50);
}

const RAW_VERSION = (sql: Queryable) => sql`coalesce(r.attributes ->> 'service.version', '')`;
const RAW_FAILED = (sql: Queryable) => sql`status_code = 2 OR (status_code = 0 AND coalesce(
  spans.attributes ->> 'http.response.status_code', spans.attributes ->> 'http.status_code', '') ~ '^5[0-9][0-9]$')`;

function rawVersionFigures(sql: Queryable, service: string, w: Window): Promise<VersionFiguresRow[]> {
  return sql<VersionFiguresRow[]>`
    SELECT ${RAW_VERSION(sql)} AS version, count(*)::int AS requests,
           count(*) FILTER (WHERE ${RAW_FAILED(sql)})::int AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ns) / 1e6 AS p95,
           min(start_time) AS "firstSeen"
    FROM spans LEFT JOIN resources r ON r.id = spans.resource_id
    WHERE service_name = ${service} AND kind IN (2, 5) AND start_time >= ${w.from} AND start_time < ${w.to}
    GROUP BY 1 ORDER BY min(start_time)
    LIMIT 50`;
}

/** The raw spans' figures per version and histogram bucket (lib/model/histogram.ts's bucketOf, in SQL). */
function rawVersionBuckets(sql: Queryable, service: string, w: Window) {
  return sql<{ version: string; bucket: number; requests: number; failed: number; firstSeen: Date }[]>`
    SELECT ${RAW_VERSION(sql)} AS version,
           CASE WHEN duration_ns <= 1000 THEN 0 ELSE ceil(ln(duration_ns / 1000.0) / ln(1.02))::int END AS bucket,
           count(*)::int AS requests, count(*) FILTER (WHERE ${RAW_FAILED(sql)})::int AS failed,
           min(start_time) AS "firstSeen"
    FROM spans LEFT JOIN resources r ON r.id = spans.resource_id
    WHERE service_name = ${service} AND kind IN (2, 5) AND start_time >= ${w.from} AND start_time < ${w.to}
    GROUP BY 1, 2`;
}
