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
    { service: "s-web", startMs: now - 50_000, durationMs: 900, calls: [{ target: "s-api", durationMs: 800, error: true }] },
    { service: "s-web", startMs: now - 40_000, durationMs: 20, calls: [{ target: "s-cache", durationMs: 2, virtual: true }] },
  ]);
  const run = (qs: string) => searchTraces(ctx.db.sql, parseTraceSearch(new URLSearchParams(qs)), new Date(now - 3600_000), new Date(now + 60_000), 50);
  expect(await run("")).toHaveLength(3);
  expect((await run("service=s-api")).map((h) => h.name)).toEqual(["serve s-api", "serve s-api"]);
  expect((await run("minMs=500")).map((h) => Number(h.durationNs) / 1e6)).toEqual([900]);
  expect(await run("maxMs=30")).toHaveLength(1);
  expect((await run("status=error")).map((h) => h.name)).toEqual(["call s-api"]);
  expect((await run("attr=peer.service%3Ds-cache")).map((h) => h.name)).toEqual(["call s-cache"]);
  expect(await run("operation=nothing")).toHaveLength(0);
});
