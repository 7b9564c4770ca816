import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import { countSpans } from "../../lib/db/span-reads";

const ctx = useCollectorDatabase();

it("keeps one copy of each span when the same batch is delivered again, concurrently and in another encoding", async () => {
  const spans = sdkSpans("redelivered", 9); // 10 spans
  const url = `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`;
  const proto = () => fetch(url, { method: "POST", body: protobufRequest(spans), headers: { "content-type": "application/x-protobuf" } });
  const json = () => fetch(url, { method: "POST", body: JSON.stringify(jsonRequest(spans)), headers: { "content-type": "application/json" } });

  expect((await proto()).status).toBe(200);
  expect(await countSpans(ctx.db.sql)).toBe(10);
  const again = await Promise.all([proto(), proto(), json(), json()]);
  expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(await countSpans(ctx.db.sql)).toBe(10);
  // Duplicates inside one request are also dropped.
  const doubled = jsonRequest(spans);
  doubled.resourceSpans.push(...jsonRequest(spans).resourceSpans);
  expect((await fetch(url, { method: "POST", body: JSON.stringify(doubled), headers: { "content-type": "application/json" } })).status).toBe(200);
  expect(await countSpans(ctx.db.sql)).toBe(10);
});
