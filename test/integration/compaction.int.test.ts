import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces, type SeedCall } from "../helpers/json-traces";
import { aggregateAll } from "../helpers/aggregate";
import { compactRawSpans, pruneSpanNames } from "../../lib/db/compaction";
import { countSpans, findTraceSpans } from "../../lib/db/span-reads";
import { searchTraces } from "../../lib/db/trace-search";
import { serviceOperationKinds, spanServices, summarySpans } from "../../lib/db/jaeger-reads";
import { versionFigures } from "../../lib/db/version-figures";
import { pinTrace } from "../../lib/db/pinned";
import { thinRawSpans } from "../../lib/db/value-retention";
import { parseTraceSearch } from "../../lib/domain/trace-search";
import { loadGraph } from "../../lib/query/graph";
import { servicesSince } from "../../lib/db/overview-reads";
import { metricsText } from "../../lib/query/status";
import { prismaClient } from "../../lib/db/prisma";

// Compaction moves rolled-up raw spans into deflated chunks per trace: every read must answer exactly as before.
const ctx = useCollectorDatabase();

const hex = (n: number) => randomBytes(n).toString("hex");
const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
type Value = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } | object;
const kv = (key: string, value: Value) => ({ key, value });
const s = (v: string) => ({ stringValue: v });

/** Spans of varied shape: typed and array attributes, events, links, status messages, two environments. */
function request(startMs: number, durationMs: number) {
  const resource = (service: string, env: string, version: string) => ({
    attributes: [
      kv("service.name", s(service)),
      kv("deployment.environment.name", s(env)),
      kv("service.version", s(version)),
      kv("k8s.pod.name", s(`${service}-${env}-1`)),
    ],
  });
  const traces: { traceId: string; spans: Map<string, unknown[]> }[] = [];
  const byResource = new Map<string, { resource: unknown; spans: unknown[] }>();
  const add = (service: string, env: string, version: string, span: unknown) => {
    const k = `${service}/${env}/${version}`;
    const r = byResource.get(k) ?? { resource: resource(service, env, version), spans: [] };
    r.spans.push(span);
    byResource.set(k, r);
  };
  let previous: string | null = null;
  for (let i = 0; i < 80; i++) {
    const traceId = hex(16);
    const root = hex(8);
    const client = hex(8);
    const env = i % 3 === 0 ? "staging" : "production";
    const version = i < 40 ? "1.0" : "2.0";
    const start = startMs + i * 4_000; // the traces span several minutes' slices
    const error = i % 7 === 0;
    add("frontend", env, version, {
      traceId,
      spanId: root,
      name: i % 2 ? "GET /cart" : "GET /checkout",
      kind: 2,
      startTimeUnixNano: ns(start),
      endTimeUnixNano: ns(start + durationMs + i * 1.37),
      attributes: [
        kv("app.tenant", s(`t${i % 5}`)),
        kv("app.count", { intValue: String(i % 9) }),
        kv("app.ratio", { doubleValue: (i % 4) / 4 }),
        kv("app.flag", { boolValue: i % 2 === 0 }),
        kv("app.list", { arrayValue: { values: [s("a"), s(`b${i}`)] } }),
        kv("app.text", s(`naïve "quoted" \\ value ${i} <b>bold</b>`)),
        kv("http.response.status_code", { intValue: error ? "503" : "200" }),
      ],
      events: [{ timeUnixNano: ns(start + 1), name: "cache miss", attributes: [kv("key", s(`k${i}`))] }],
      links: previous ? [{ traceId: previous, spanId: hex(8), attributes: [kv("link.kind", s("follows"))] }] : [],
      status: i % 11 === 0 ? { code: 1 } : {},
    });
    add("frontend", env, version, {
      traceId,
      spanId: client,
      parentSpanId: root,
      name: "call cart",
      kind: 3,
      startTimeUnixNano: ns(start + 1),
      endTimeUnixNano: ns(start + 1 + durationMs / 2 + i * 1.1),
      attributes: [kv("peer.service", s("cart")), kv("app.tenant", s(`t${(i + 1) % 5}`))],
      status: error ? { code: 2, message: `cart failed ${i}` } : {},
    });
    add("cart", env, "3.1", {
      traceId,
      spanId: hex(8),
      parentSpanId: client,
      name: "POST /cart",
      kind: 2,
      startTimeUnixNano: ns(start + 2),
      endTimeUnixNano: ns(start + 2 + durationMs / 3 + i * 0.9),
      attributes: [kv("db.system.name", s("redis")), kv("app.count", { intValue: String(i % 4) })],
      status: error ? { code: 2, message: `cart failed ${i}` } : {},
    });
    traces.push({ traceId, spans: new Map() });
    previous = traceId;
  }
  const body = {
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [{ scope: { name: "@test/compaction", version: "1.2.3" }, spans: r.spans }],
    })),
  };
  return { body, traceIds: traces.map((t) => t.traceId) };
}

/** Sends the traces through the collector and rolls them up. */
async function ingest(startMs: number, durationMs: number): Promise<string[]> {
  const { body, traceIds } = request(startMs, durationMs);
  const res = await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  await aggregateAll(ctx.db.sql);
  return traceIds;
}

const SEARCHES = [
  "",
  "service=cart",
  "operation=GET%20%2Fcart&service=frontend",
  "minMs=60",
  "maxMs=40",
  "status=error",
  "status=ok",
  "kind=client",
  "env=staging",
  "attr=app.tenant%3Dt3",
  "attr=app.count%3D5",
  "attr=app.ratio%3D0.5",
  "attr=app.flag%3Dtrue",
  "attr=error%3Dtrue",
  "attr=otel.scope.name%3D%40test%2Fcompaction",
  "attr=span.kind%3Dserver&attr=app.count%3D3",
  "attr=service.version%3D2.0",
  "attr=app.text%3Dna%C3%AFve%20%22quoted%22%20%5C%20value%207%20%3Cb%3Ebold%3C%2Fb%3E",
  "attr=app.list%3Da",
  "sort=longest",
  "sort=errors",
  "sort=longest&page=2",
].map((q) => parseTraceSearch(new URLSearchParams(q)));

it("moves rolled-up spans into chunks and every read answers as before", async () => {
  const sql = ctx.db.sql;
  const prisma = prismaClient(ctx.db.url);
  const now = Date.now();
  const old = Math.floor((now - 2 * 3_600_000) / 60_000) * 60_000; // past a 15-minute compaction delay
  const traceIds = await ingest(old + 5_000, 50);
  const w = { from: new Date(old), to: new Date(now), envs: [] as string[], dims: {} };
  const half = { ...w, to: new Date(old + 5_000 + 40 * 4_000) };
  const read = async () => ({
    spans: await countSpans(sql),
    traces: await Promise.all(traceIds.map((t) => findTraceSpans(sql, t))),
    searches: await Promise.all(
      SEARCHES.flatMap((q) =>
        [w, half].map((win) => searchTraces(sql, q, { ...win, envs: q.envs }, 7, (q.page - 1) * 7)),
      ),
    ),
    summaries: await summarySpans(sql, traceIds.slice(0, 9)),
    services: await spanServices(sql, new Date(old - 60_000)),
    operations: await serviceOperationKinds(sql, "frontend", null, new Date(old - 60_000)),
    versions: await versionFigures(sql, "frontend", w),
    // The trace page's services table: spans per service and the newest start.
    seen: await servicesSince(prisma, new Date(old - 60_000)),
  });
  const before = await read();
  expect(before.spans).toBe(240);
  const graphBefore = await loadGraph(sql, new Date(old), new Date(now));

  let until = 0;
  for (let pass = 0; pass < 20 && until < now - 15 * 60_000; pass++)
    // Parts of at most 16 spans: each minute's ~45 spans move in several transactions, two at a time.
    until = (
      await compactRawSpans(sql, { afterMinutes: 15, spanRetentionHours: 24, spansPerPart: 16 }, now)
    ).until.getTime();
  const [{ raw, chunks }] = await sql<[{ raw: number; chunks: number }]>`
    SELECT (SELECT count(*)::int FROM spans) AS raw, (SELECT count(*)::int FROM trace_chunks) AS chunks`;
  expect(raw).toBe(0);
  // /metrics says how far compaction has come, for an alert on its lag.
  const progress = /^tracemap_span_compaction_progress_timestamp_seconds (\S+)$/m.exec(await metricsText(sql));
  expect(Number(progress?.[1])).toBe((now - 15 * 60_000) / 1000);
  // One chunk per trace and minute: a trace starting at a minute's end may have spans in the next one.
  expect(chunks).toBeGreaterThanOrEqual(80);
  expect(chunks).toBeLessThan(90);

  const after = await read();
  expect(after.spans).toBe(before.spans);
  expect(after.traces).toEqual(before.traces);
  for (const [i, hits] of after.searches.entries()) expect(hits, `search ${i}`).toEqual(before.searches[i]);
  // Every search finds traces but version 2.0 in the first half (its traces come later) and the array attribute
  // (an array never matches a scalar, as in jsonb).
  expect(before.searches.map((h, i) => (h.length ? -1 : i)).filter((i) => i >= 0)).toEqual([33, 36, 37]);
  const order = (rows: typeof before.summaries) => [...rows].sort((a, b) => (a.spanId < b.spanId ? -1 : 1));
  expect(order(after.summaries)).toEqual(order(before.summaries));
  expect(after.services).toEqual(before.services);
  expect(after.operations).toEqual(before.operations);
  expect(after.seen.map((s) => [s.name, s.spans])).toEqual([
    ["cart", 80],
    ["frontend", 160],
  ]);
  // A chunk keeps its newest start, not each service's: "last seen" may move up within the chunk's minute.
  for (const [i, s] of after.seen.entries()) {
    const was = before.seen[i]!.lastSeen.getTime();
    expect(s.lastSeen.getTime()).toBeGreaterThanOrEqual(was);
    expect(s.lastSeen.getTime()).toBeLessThan(was + 60_000);
  }
  // Versions: the same calls, failures and first sighting; percentiles from the latency histogram (within 1%).
  expect(after.versions.map(({ p50, p95, ...v }) => v)).toEqual(before.versions.map(({ p50, p95, ...v }) => v));
  for (const [i, v] of after.versions.entries()) {
    expect(Math.abs(v.p50 / before.versions[i]!.p50 - 1)).toBeLessThan(0.02);
    expect(Math.abs(v.p95 / before.versions[i]!.p95 - 1)).toBeLessThan(0.02);
  }
  const graphAfter = await loadGraph(sql, new Date(old), new Date(now));
  expect(graphAfter.edges.map((e) => [e.id, e.requests])).toEqual(graphBefore.edges.map((e) => [e.id, e.requests]));

  // A compacted trace can be pinned: its copies outlive the chunks.
  expect(await pinTrace(sql, traceIds[3]!, "test", "compacted")).toBe(true);
  await sql`DELETE FROM trace_chunks WHERE trace_id = decode(${traceIds[3]!}, 'hex')`;
  const pinned = await findTraceSpans(sql, traceIds[3]!);
  expect(pinned.map((p) => [p.spanId, p.attributes, p.events, p.links])).toEqual(
    before.traces[3]!.map((p) => [p.spanId, p.attributes, p.events, p.links]),
  );
  // Every field of the copy, ids, times, status, scope and resource included.
  expect(pinned).toEqual(before.traces[3]);

  // Retention by value thins compacted traces too: failed traces stay whole.
  for (let pass = 0; pass < 200; pass++) {
    const t = await thinRawSpans(sql, { rawMinutes: 60, samplePercent: 0, spanRetentionHours: 24 }, now);
    if (t.until.getTime() >= now - 3_600_000) break;
  }
  for (const [i, t] of traceIds.entries())
    if (i % 7 === 0) expect((await findTraceSpans(sql, t)).length, `failed trace ${i}`).toBe(3);
  // Span names go once no stored span can have them (a day past the span retention, as partitions drop).
  expect(await pruneSpanNames(sql, 24, now)).toBe(0);
  expect(await pruneSpanNames(sql, 24, now + 3 * 86_400_000)).toBeGreaterThan(0);
  const [{ left }] = await sql<[{ left: number }]>`SELECT count(DISTINCT trace_id)::int AS left FROM trace_chunks`;
  expect(left).toBeLessThan(80);
  expect(left).toBeGreaterThanOrEqual(12);
  await prisma.$disconnect();
});

it("compacts late spans whose minutes it had already passed (a backlog sent after an outage)", async () => {
  const sql = ctx.db.sql;
  const now = Date.now();
  const policy = { afterMinutes: 15, spanRetentionHours: 24 };
  await aggregateAll(sql);
  for (let pass = 0; pass < 20; pass++)
    if ((await compactRawSpans(sql, policy, now, 5_000)).until.getTime() >= now - 15 * 60_000) break;
  const [{ swept }] = await sql<[{ swept: string | null }]>`SELECT swept_xid::text AS swept FROM span_compaction`;
  expect(swept).not.toBeNull();

  const traceIds = await ingest(now - 50 * 60_000, 40); // behind compaction's progress
  const before = await Promise.all(traceIds.slice(0, 5).map((t) => findTraceSpans(sql, t)));
  const pass = await compactRawSpans(sql, policy, now, 5_000);
  expect(pass.spans).toBe(240);
  const [{ raw }] = await sql<[{ raw: number }]>`SELECT count(*)::int AS raw FROM spans`;
  expect(raw).toBe(0);
  expect(await Promise.all(traceIds.slice(0, 5).map((t) => findTraceSpans(sql, t)))).toEqual(before);
});

it("splits one huge trace into several chunks, and reads it back whole", async () => {
  const sql = ctx.db.sql;
  const now = Date.now();
  const start = Math.floor((now - 40 * 60_000) / 60_000) * 60_000 + 1_000;
  const trace = { service: "fanout", startMs: start, durationMs: 900, calls: [] as SeedCall[] };
  for (let i = 0; i < 99; i++) trace.calls.push({ target: "leaf", durationMs: 1 + i / 10, virtual: true });
  await postJsonTraces(ctx.collector.ports.otlpHttp, [trace]);
  await aggregateAll(sql);
  const [{ id }] = await sql<[{ id: string }]>`
    SELECT encode(trace_id, 'hex') AS id FROM spans WHERE service_name = 'fanout' LIMIT 1`;
  const before = await findTraceSpans(sql, id);
  expect(before).toHaveLength(100);
  const policy = { afterMinutes: 15, spanRetentionHours: 24, spansPerPart: 16 };
  await compactRawSpans(sql, policy, now, 5_000);
  const [{ chunks, most }] = await sql<[{ chunks: number; most: number }]>`
    SELECT count(*)::int AS chunks, max(span_count)::int AS most FROM trace_chunks WHERE trace_id = decode(${id}, 'hex')`;
  expect(chunks).toBeGreaterThanOrEqual(4);
  expect(most).toBeLessThanOrEqual(32);
  expect(await findTraceSpans(sql, id)).toEqual(before);
  const q = parseTraceSearch(new URLSearchParams("service=fanout"));
  const hits = await searchTraces(
    sql,
    q,
    { from: new Date(start - 60_000), to: new Date(now), envs: [], dims: {} },
    10,
  );
  expect(hits.map((h) => [h.traceId, h.durationNs])).toEqual([[id, 900_000_000n]]);
});
