import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import { countSpans, findTraceSpans } from "../../lib/db/span-reads";
import { aggregateAll } from "../helpers/aggregate";
import { quarantineSummary } from "../../lib/db/quarantine";

// Thousands of mutated real payloads against a real collector and database. Properties: the only answers are
// 2xx and 4xx (back-pressure aside, which this load never reaches); the collector keeps serving; every span it
// acknowledged is stored (acknowledged count == rows); an untouched valid part of a request is kept.
// And the aggregator's property: after any accepted input its next pass succeeds and sets nothing aside, since
// ingest must refuse (per span) every value the roll-up or PostgreSQL could later refuse.
// A write that hangs fails fast here (503), so fast-check reports it instead of waiting 20 s per shrink step.
const ctx = useCollectorDatabase({ WRITE_TIMEOUT_MS: "1500" });
const RUNS = { protobuf: 1500, otlpJson: 1000, zipkin: 1000 };
// A fixed seed keeps CI reproducible; FUZZ_SEED=<n> explores others (a failure prints its seed and counterexample).
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const OK_STATUSES = [200, 202, 400, 413, 415];
const base = () => `http://127.0.0.1:${ctx.collector.ports.otlpHttp}`;
const statuses = new Map<number, number>();
const tally = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);

type Mutation = { kind: "flip" | "insert" | "delete" | "truncate"; at: number; bytes: Uint8Array };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("flip", "insert", "delete", "truncate"),
  at: fc.nat(),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
}) as fc.Arbitrary<Mutation>;

function mutateBytes(buf: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of ms) {
    const at = m.at % Math.max(b.length, 1);
    if (m.kind === "flip") b.set(m.bytes.subarray(0, Math.min(m.bytes.length, b.length - at)), at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === "delete") b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.bytes.length)]);
    else b = b.subarray(0, at);
  }
  return b;
}

/** Every path to a value inside a JSON document, depth first. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

type JsonEdit = { pick: number; value: unknown; remove: boolean };
const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  pick: fc.nat(),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: "binary" }),
    fc.constantFrom("", "0", "-1", "ffffffffffffffff", "9".repeat(30), null),
    // What the red team sent: non-hex link ids, lone surrogates, NUL, names longer than an index key, odd shapes.
    fc.constantFrom(
      [{ traceId: "zz", spanId: "zz" }],
      { traceId: "zz", spanId: "zz" },
      "\ud800",
      "a\u0000b",
      "x".repeat(3000),
      {},
      [{}],
      1e300,
    ),
  ),
  remove: fc.boolean(),
});

function editJson<T>(doc: T, edits: JsonEdit[]): T {
  const copy = structuredClone(doc) as unknown;
  for (const e of edits) {
    const all = paths(copy).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const path = all[e.pick % all.length]!;
    let parent = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const key = path[path.length - 1]!;
    if (e.remove && Array.isArray(parent)) parent.splice(key as number, 1);
    else if (e.remove) delete parent[key];
    else parent[key] = e.value;
  }
  return copy as T;
}

// Every so many accepted requests the aggregator runs a pass over what they stored; it must succeed.
let sinceAggregation = 0;
async function aggregatorKeepsUp(): Promise<void> {
  if (++sinceAggregation < 100) return;
  sinceAggregation = 0;
  await aggregateAll(ctx.db.sql);
}

const post = async (
  path: string,
  body: Uint8Array<ArrayBuffer> | string,
  type: string,
  port = ctx.collector.ports.otlpHttp,
) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": type },
  });
  const text = await res.text();
  tally(res.status);
  if (!OK_STATUSES.includes(res.status)) throw new Error(`status ${res.status}: ${text}`);
  if (res.status < 300 || text.includes("valid span(s) stored")) await aggregatorKeepsUp();
  return { status: res.status, text };
};

it(`mutated OTLP protobuf from the SDK (${RUNS.protobuf} cases): only 2xx/4xx answers`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
      await post(
        "/v1/traces",
        new Uint8Array(mutateBytes(protobufRequest(sdkSpans("fuzz-proto", 3)), ms)),
        "application/x-protobuf",
      );
    }),
    { numRuns: RUNS.protobuf, seed: SEED },
  );
}, 300_000);

it(`mutated OTLP JSON (${RUNS.otlpJson} cases): only 2xx/4xx, and the untouched resource in the same request is kept`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(jsonEdit, { minLength: 1, maxLength: 4 }), async (edits) => {
      const fuzzed = editJson(jsonRequest(sdkSpans("fuzz-json", 2)), edits);
      const valid = jsonRequest(sdkSpans("fuzz-json-valid", 0));
      const body =
        fuzzed && typeof fuzzed === "object" && Array.isArray(fuzzed.resourceSpans)
          ? { ...fuzzed, resourceSpans: [...fuzzed.resourceSpans, ...valid.resourceSpans] }
          : fuzzed;
      const { status } = await post("/v1/traces", JSON.stringify(body), "application/json");
      if (status === 200 && body !== fuzzed) {
        const traceId = valid.resourceSpans[0].scopeSpans[0].spans[0].traceId as string;
        expect(await findTraceSpans(ctx.db.sql, traceId)).toHaveLength(1);
      }
    }),
    { numRuns: RUNS.otlpJson, seed: SEED + 1 },
  );
}, 300_000);

it(`mutated Zipkin v2 JSON (${RUNS.zipkin} cases): only 2xx/4xx, and the untouched span in the same request is kept`, async () => {
  const zipkinSpan = (service: string, parentId?: string) => ({
    traceId: randomBytes(16).toString("hex"),
    id: randomBytes(8).toString("hex"),
    ...(parentId ? { parentId } : {}),
    name: "get /cart",
    kind: "SERVER",
    timestamp: Date.now() * 1000 - 5000,
    duration: 1234,
    localEndpoint: { serviceName: service, ipv4: "10.0.0.1" },
    remoteEndpoint: { serviceName: "db", port: 5432 },
    tags: { "http.method": "GET", "http.status_code": "200" },
    annotations: [{ timestamp: Date.now() * 1000, value: "ws" }],
  });
  await fc.assert(
    fc.asyncProperty(fc.array(jsonEdit, { minLength: 1, maxLength: 4 }), async (edits) => {
      const fuzzed = editJson(
        [zipkinSpan("fuzz-zipkin"), zipkinSpan("fuzz-zipkin", randomBytes(8).toString("hex"))],
        edits,
      );
      const valid = zipkinSpan("fuzz-zipkin-valid");
      const body = Array.isArray(fuzzed) ? [...fuzzed, valid] : fuzzed;
      const { status, text } = await post(
        "/api/v2/spans",
        JSON.stringify(body),
        "application/json",
        ctx.collector.ports.zipkin,
      );
      if (body !== fuzzed && (status === 202 || (status === 400 && text.includes("valid span(s) stored")))) {
        expect(await findTraceSpans(ctx.db.sql, valid.traceId)).toHaveLength(1);
      }
    }),
    { numRuns: RUNS.zipkin, seed: SEED + 2 },
  );
}, 300_000);

it("after the fuzz: still serving, and every acknowledged span is a row", async () => {
  expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  const metrics = await (await fetch(`${base()}/metrics`)).text();
  const acknowledged = metrics
    .split("\n")
    .filter((l) => l.startsWith("tracemap_ingest_spans_total"))
    .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
  expect(acknowledged).toBeGreaterThan(1000);
  expect(await countSpans(ctx.db.sql)).toBe(acknowledged);
  await aggregateAll(ctx.db.sql);
  const [progress] = await ctx.db.sql<{ behind: bigint }[]>`
    SELECT (SELECT max(epoch) FROM ingest_epochs) - min(processed_epoch) AS behind FROM aggregator_shards`;
  expect(Number(progress!.behind)).toBeLessThanOrEqual(1);
  const quarantine = await quarantineSummary(ctx.db.sql);
  expect(quarantine.newest?.reason ?? null).toBeNull();
  console.log(
    `fuzz: ${RUNS.protobuf + RUNS.otlpJson + RUNS.zipkin} payloads, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${acknowledged} spans acknowledged and stored`,
  );
});
