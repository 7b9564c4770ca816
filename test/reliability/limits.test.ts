import { expect, it } from "vitest";
import { useCollectorDatabase } from "../helpers/collector";
import { protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import { findTraceSpans } from "../../lib/db/span-reads";

const ctx = useCollectorDatabase({
  MAX_SPANS_PER_REQUEST: "100",
  MAX_SPANS_PER_TRACE: "50",
  MAX_ATTRIBUTES_PER_SPAN: "16",
});
const url = (path: string) => `http://127.0.0.1:${ctx.collector.ports.otlpHttp}${path}`;
const postJson = (body: unknown) =>
  fetch(url("/v1/traces"), {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
const metric = async (name: string, labels = "") => {
  const text = await (await fetch(url("/metrics"))).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === "" && l.startsWith(`${name} `)));
  return line ? Number(line.split(" ").pop()) : 0;
};

/** n bytes as hex, every byte `fill` (two hex digits). */
const hex = (n: number, fill: string) => fill.repeat(n);
const span = (traceFill: string, spanNo: number, extra: Record<string, unknown> = {}) => ({
  traceId: hex(16, traceFill),
  spanId: (spanNo + 1).toString(16).padStart(16, "0"),
  name: "op",
  kind: 2,
  startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
  endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
  ...extra,
});
const request = (spans: unknown[], service = "limits-svc") => ({
  resourceSpans: [
    { resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
  ],
});

it("cuts long values to 4 KiB, caps attributes, repairs NUL and lone surrogates, and counts each", async () => {
  const attributes = [
    { key: "long", value: { stringValue: "x".repeat(10_000) } },
    ...Array.from({ length: 30 }, (_, i) => ({
      key: `k${String(i).padStart(2, "0")}`,
      value: { intValue: String(i) },
    })),
  ];
  // JSON text with a NUL escape in the name and a lone surrogate in a value: legal JSON, illegal in PostgreSQL.
  const body = JSON.stringify(request([span("a1", 1, { attributes, name: "bad\u0000name" })]));
  const res = await postJson(body.replace('"bad\\u0000name"', '"bad\\u0000name\\ud800"'));
  expect(res.status).toBe(200);
  const [stored] = await findTraceSpans(ctx.db.sql, hex(16, "a1"));
  expect(stored!.name).toBe("bad\uFFFDname\uFFFD");
  const attrs = stored!.attributes as Record<string, unknown>;
  expect((attrs.long as string).length).toBe(4096);
  expect(Object.keys(attrs)).toHaveLength(16);
  expect(await metric("tracemap_adjusted_values_total", '{kind="truncated_value"}')).toBe(1);
  expect(await metric("tracemap_adjusted_values_total", '{kind="dropped_attribute"}')).toBe(15);
  expect(await metric("tracemap_adjusted_values_total", '{kind="repaired_text"}')).toBe(2);
});

it("stores invalid UTF-8 from protobuf with replacement characters", async () => {
  const spans = sdkSpans("utf8-svc", 1); // a server root and its client span "call-0"
  const body = protobufRequest(spans);
  const at = body.indexOf(Buffer.from("call-0"));
  expect(at).toBeGreaterThan(0);
  Buffer.from([0x63, 0xc3, 0x28, 0xff, 0xfe, 0x30]).copy(body, at); // same length, invalid sequences
  const res = await fetch(url("/v1/traces"), {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-type": "application/x-protobuf" },
  });
  expect(res.status).toBe(200);
  const stored = await findTraceSpans(ctx.db.sql, spans[0]!.spanContext().traceId);
  expect(stored.map((s) => s.name).sort()).toEqual(["GET /", "c\uFFFD(\uFFFD\uFFFD0"]);
});

it("refuses requests with too many spans (413) and rejects spans past a trace's cap (partial success)", async () => {
  const before413 = await metric("tracemap_refused_requests_total", '{protocol="otlp_http",status="413"}');
  const tooMany = await postJson(request(Array.from({ length: 101 }, (_, i) => span("b2", i))));
  expect(tooMany.status).toBe(413);
  expect((await tooMany.json()).message).toContain("at most 100 per request");
  expect(await metric("tracemap_refused_requests_total", '{protocol="otlp_http",status="413"}')).toBe(before413 + 1);

  const first = await postJson(request(Array.from({ length: 40 }, (_, i) => span("c3", i))));
  expect(await first.json()).toEqual({});
  const second = await postJson(request(Array.from({ length: 20 }, (_, i) => span("c3", 40 + i))));
  expect((await second.json()).partialSuccess).toEqual({
    rejectedSpans: "10",
    errorMessage: expect.stringContaining("trace has more than 50 spans"),
  });
  expect(await findTraceSpans(ctx.db.sql, hex(16, "c3"))).toHaveLength(50);
  expect(await metric("tracemap_rejected_spans_total", '{reason="trace_too_large"}')).toBe(10);
});

it("counts old, future and negative-duration spans by reason; answers /healthz and /readyz", async () => {
  const hour = 3600_000n * 1_000_000n;
  const now = BigInt(Date.now()) * 1_000_000n;
  const res = await postJson(
    request([
      span("d4", 1, { startTimeUnixNano: String(now - 200n * hour), endTimeUnixNano: String(now - 200n * hour + 1n) }),
      span("d4", 2, { startTimeUnixNano: String(now + 5n * hour), endTimeUnixNano: String(now + 5n * hour + 1n) }),
      span("d4", 3, { endTimeUnixNano: String(now - 10n * hour) }),
      span("d4", 4),
    ]),
  );
  expect((await res.json()).partialSuccess.rejectedSpans).toBe("3");
  expect(await metric("tracemap_rejected_spans_total", '{reason="too_old"}')).toBe(1);
  expect(await metric("tracemap_rejected_spans_total", '{reason="too_new"}')).toBe(1);
  expect(await metric("tracemap_rejected_spans_total", '{reason="bad_time"}')).toBe(1);
  expect(await metric("tracemap_ingest_spans_total", '{protocol="otlp_http"}')).toBeGreaterThan(0);
  expect((await fetch(url("/healthz"))).status).toBe(200);
  const ready = await fetch(url("/readyz"));
  expect([ready.status, await ready.text()]).toEqual([200, "ready\n"]);
  const text = await (await fetch(url("/metrics"))).text();
  for (const name of [
    "tracemap_write_queue_spans",
    "tracemap_inflight_request_bytes",
    "tracemap_collector_resident_bytes",
    "tracemap_backpressure_total",
    "tracemap_db_write_errors_total",
  ]) {
    expect(text).toContain(`# TYPE ${name}`);
  }
});
