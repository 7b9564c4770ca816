import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import { countSpans } from "../../lib/db/span-reads";
import { createSql } from "../../lib/db/pool";
import { SpanStore } from "../../lib/db/span-store";
import { decodeExportTraceRequest } from "../../lib/ingest/otlp-proto";
import { normalize, defaultLimits } from "../../lib/ingest/normalize";

const ctx = useCollectorDatabase();

it("keeps one copy of each span when the same batch is delivered again, concurrently and in another encoding", async () => {
  const spans = sdkSpans("redelivered", 9); // 10 spans
  const url = `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`;
  const proto = () =>
    fetch(url, { method: "POST", body: protobufRequest(spans), headers: { "content-type": "application/x-protobuf" } });
  const json = () =>
    fetch(url, {
      method: "POST",
      body: JSON.stringify(jsonRequest(spans)),
      headers: { "content-type": "application/json" },
    });

  expect((await proto()).status).toBe(200);
  expect(await countSpans(ctx.db.sql)).toBe(10);
  const again = await Promise.all([proto(), proto(), json(), json()]);
  expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(await countSpans(ctx.db.sql)).toBe(10);
  // Duplicates inside one request are also dropped.
  const doubled = jsonRequest(spans);
  doubled.resourceSpans.push(...jsonRequest(spans).resourceSpans);
  expect(
    (
      await fetch(url, {
        method: "POST",
        body: JSON.stringify(doubled),
        headers: { "content-type": "application/json" },
      })
    ).status,
  ).toBe(200);
  expect(await countSpans(ctx.db.sql)).toBe(10);
});

it("writes new spans straight into the table and re-delivered ones through the deduplicating path, on one connection", async () => {
  const records = (service: string) =>
    normalize(decodeExportTraceRequest(protobufRequest(sdkSpans(service, 99))), defaultLimits).spans;
  // One connection: a COPY that failed on a duplicate must leave it usable (postgres.js used to hang there).
  const sql = createSql(ctx.db.url, { max: 1 });
  try {
    const store = new SpanStore(sql);
    const before = await countSpans(ctx.db.sql);
    const first = records("direct-a");
    expect(await store.insert(first)).toBe(100);
    expect(store.conflicts).toBe(0);
    // Half already stored, half new: the direct COPY fails whole, the fallback stores just the new half.
    const second = records("direct-b");
    expect(await store.insert([...first.slice(50), ...second])).toBe(100);
    expect(store.conflicts).toBe(1);
    expect(await countSpans(ctx.db.sql)).toBe(before + 200);
    // Right after a conflict new batches go through the deduplicating path too: still stored once.
    expect(await store.insert(records("direct-c"))).toBe(100);
    expect(store.conflicts).toBe(1);
    expect(await countSpans(ctx.db.sql)).toBe(before + 300);
  } finally {
    await sql.end();
  }
});
