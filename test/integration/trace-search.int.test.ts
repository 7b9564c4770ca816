import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { postJsonTraces } from "../helpers/json-traces";
import { searchTraces } from "../../lib/db/trace-search";
import { parseTraceSearch } from "../../lib/domain/trace-search";

const ctx = useCollectorDatabase();

it("finds traces by service, operation, duration, status and attribute", async () => {
  const now = Date.now();
  await postJsonTraces(ctx.collector.ports.otlpHttp, [
    { service: "s-web", startMs: now - 60_000, durationMs: 50, calls: [{ target: "s-api", durationMs: 40 }] },
    {
      service: "s-web",
      startMs: now - 50_000,
      durationMs: 900,
      calls: [{ target: "s-api", durationMs: 800, error: true }],
    },
    {
      service: "s-web",
      startMs: now - 40_000,
      durationMs: 20,
      calls: [{ target: "s-cache", durationMs: 2, virtual: true }],
    },
  ]);
  const run = (qs: string) =>
    searchTraces(
      ctx.db.sql,
      parseTraceSearch(new URLSearchParams(qs)),
      { from: new Date(now - 3600_000), to: new Date(now + 60_000) },
      50,
    );
  expect(await run("")).toHaveLength(3);
  expect((await run("service=s-api")).map((h) => h.name)).toEqual(["serve s-api", "serve s-api"]);
  expect((await run("minMs=500")).map((h) => Number(h.durationNs) / 1e6)).toEqual([900]);
  expect(await run("maxMs=30")).toHaveLength(1);
  expect((await run("status=error")).map((h) => h.name)).toEqual(["call s-api"]);
  expect((await run("attr=peer.service%3Ds-cache")).map((h) => h.name)).toEqual(["call s-cache"]);
  expect(await run("operation=nothing")).toHaveLength(0);
});

it("matches attributes stored as numbers, and values the text scan cannot vouch for, exactly", async () => {
  const now = Date.now();
  const span = (id: number, attributes: unknown[]) => ({
    traceId: `${id}`.padStart(32, "a"),
    spanId: `${id}`.padStart(16, "b"),
    name: `span ${id}`,
    kind: 2,
    startTimeUnixNano: `${(now - 30_000) * 1e6}`,
    endTimeUnixNano: `${(now - 29_000) * 1e6}`,
    attributes,
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "s-attrs" } }] },
        scopeSpans: [
          {
            spans: [
              span(1, [
                { key: "http.response.status_code", value: { intValue: "503" } },
                { key: "city", value: { stringValue: "Zürich" } },
              ]),
              span(2, [
                { key: "http.response.status_code", value: { intValue: "200" } },
                { key: "city", value: { stringValue: "Zug" } },
                { key: "ratio", value: { doubleValue: 2.5 } },
                { key: "cached", value: { boolValue: true } },
              ]),
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  const run = (attr: string) =>
    searchTraces(
      ctx.db.sql,
      parseTraceSearch(new URLSearchParams({ service: "s-attrs", attr })),
      { from: new Date(now - 3600_000), to: new Date(now + 60_000) },
      50,
    );
  expect((await run("http.response.status_code=503")).map((h) => h.name)).toEqual(["span 1"]);
  expect((await run("city=Zürich")).map((h) => h.name)).toEqual(["span 1"]);
  expect((await run("ratio=2.50")).map((h) => h.name)).toEqual(["span 2"]);
  expect((await run("cached=true")).map((h) => h.name)).toEqual(["span 2"]);
  expect(await run("city=Zurich")).toHaveLength(0);
  expect(await run("http.response.status_code=50")).toHaveLength(0);
});
