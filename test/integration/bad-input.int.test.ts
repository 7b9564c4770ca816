import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { Client, credentials, Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import { useCollectorDatabase } from "../helpers/collector";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import { findTraceSpans } from "../../lib/db/span-reads";

const MAX_BODY = 256 * 1024;
const ctx = useCollectorDatabase({ MAX_BODY_BYTES: String(MAX_BODY) });

const otlpUrl = () => `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces`;
const zipkinUrl = () => `http://127.0.0.1:${ctx.collector.ports.zipkin}/api/v2/spans`;
const post = (url: string, body: BodyInit, headers: Record<string, string>) =>
  fetch(url, { method: "POST", body, headers });
const postJson = (body: unknown) => post(otlpUrl(), JSON.stringify(body), { "content-type": "application/json" });

async function stillServes(): Promise<void> {
  const spans = sdkSpans("alive-check", 1);
  const res = await post(otlpUrl(), protobufRequest(spans), { "content-type": "application/x-protobuf" });
  expect(res.status).toBe(200);
  expect(await findTraceSpans(ctx.db.sql, spans[0]!.spanContext().traceId)).toHaveLength(2);
}

describe("OTLP/HTTP bad input", () => {
  it("answers a truncated protobuf body with 400 and a google.rpc.Status message", async () => {
    const body = protobufRequest(sdkSpans("truncated"));
    const res = await post(otlpUrl(), body.subarray(0, body.length - 7), { "content-type": "application/x-protobuf" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect(Buffer.from(await res.arrayBuffer()).toString("utf8")).toMatch(/cannot decode request: (truncated|length)/);
    await stillServes();
  });

  it("answers invalid JSON with 400 in JSON", async () => {
    const res = await post(otlpUrl(), '{"resourceSpans": [', { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 3, message: expect.stringContaining("cannot decode request") });
  });

  it("answers a JSON body of the wrong shape with 400", async () => {
    const res = await postJson({ resourceSpans: "nope" });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/resourceSpans must be an array/);
  });

  it("answers an unknown content type with 415", async () => {
    const res = await post(otlpUrl(), "hello", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect((await res.json()).message).toMatch(/unsupported content-type "text\/plain"/);
  });

  it("answers a body over the limit with 413", async () => {
    const res = await post(otlpUrl(), Buffer.alloc(MAX_BODY + 1), { "content-type": "application/x-protobuf" });
    expect(res.status).toBe(413);
    await stillServes();
  });

  it("answers a gzip bomb with 413 without inflating it", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB compressed
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const before = process.memoryUsage().rss;
    const res = await post(otlpUrl(), bomb, { "content-type": "application/x-protobuf", "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect(Buffer.from(await res.arrayBuffer()).toString("utf8")).toMatch(/larger than 262144 bytes/);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    await stillServes();
  });

  it("accepts gzip bodies", async () => {
    const spans = sdkSpans("gzipped", 1);
    const res = await post(otlpUrl(), gzipSync(protobufRequest(spans)), {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(await findTraceSpans(ctx.db.sql, spans[0]!.spanContext().traceId)).toHaveLength(2);
  });

  it("rejects bad spans one by one with partial success and stores the valid ones", async () => {
    const spans = sdkSpans("partial", 4); // root + 4 children, root last
    const req = jsonRequest(spans);
    const list = req.resourceSpans[0].scopeSpans[0].spans;
    list[0].traceId = list[0].traceId.slice(0, 30); // 15 bytes
    list[1].spanId = `zz${list[1].spanId.slice(2)}`; // not hex
    const tmp = list[2].startTimeUnixNano;
    list[2].startTimeUnixNano = list[2].endTimeUnixNano;
    list[2].endTimeUnixNano = String(BigInt(tmp) - 1n); // end before start
    const res = await postJson(req);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.partialSuccess.rejectedSpans).toBe("3");
    expect(body.partialSuccess.errorMessage).toContain("trace id must be 16 bytes, got 15");
    expect(body.partialSuccess.errorMessage).toContain("spanId is not a hex string");
    expect(body.partialSuccess.errorMessage).toContain("end time is before start time");
    const stored = await findTraceSpans(ctx.db.sql, spans[4]!.spanContext().traceId);
    expect(stored.map((s) => s.name).sort()).toEqual(["GET /", "call-3"]);
  });

  it("rejects a span whose events are not a list on its own, naming it (the rest is stored)", async () => {
    const spans = sdkSpans("events-shape", 1);
    const req = jsonRequest(spans);
    req.resourceSpans[0].scopeSpans[0].spans[0].events = {};
    const res = await postJson(req);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.partialSuccess).toEqual({
      rejectedSpans: "1",
      errorMessage: "1 span(s) rejected: events: events must be an array (1 span: #0)",
    });
    expect(await findTraceSpans(ctx.db.sql, spans[0]!.spanContext().traceId)).toHaveLength(1);
  });

  it("rejects spans without a service name, in protobuf too", async () => {
    const req = jsonRequest(sdkSpans("to-be-removed", 1));
    req.resourceSpans[0].resource.attributes = req.resourceSpans[0].resource.attributes.filter(
      (a: any) => a.key !== "service.name",
    );
    const res = await postJson(req);
    expect(await res.json()).toMatchObject({
      partialSuccess: { rejectedSpans: "2", errorMessage: expect.stringContaining("missing service name") },
    });
  });

  it("requires POST and the right path", async () => {
    expect((await fetch(otlpUrl())).status).toBe(405);
    expect(
      (await post(otlpUrl().replace("traces", "metrics"), "", { "content-type": "application/json" })).status,
    ).toBe(404);
  });
});

describe("Zipkin bad input", () => {
  const zipkinSpan = (over: Record<string, unknown> = {}) => ({
    traceId: "463ac35c9f6413ad",
    id: "a2fb4a1d1a96d312",
    name: "get /api",
    kind: "SERVER",
    timestamp: Date.now() * 1000,
    duration: 2000,
    localEndpoint: { serviceName: "zipkin-svc" },
    ...over,
  });

  it("answers invalid JSON with 400", async () => {
    const res = await post(zipkinUrl(), "[{", { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/cannot decode request/);
  });

  it("stores the valid spans of a batch and reports the invalid ones with 400", async () => {
    const traceId = "5af7183fb1d4cf5f" + "463ac35c9f6413ad";
    const res = await post(
      zipkinUrl(),
      JSON.stringify([
        zipkinSpan({ traceId, id: "0000000000000001" }),
        zipkinSpan({ traceId, id: "123" }),
        zipkinSpan({ traceId, id: "0000000000000002", localEndpoint: {} }),
      ]),
      { "content-type": "application/json" },
    );
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("id must be 16 hex characters");
    expect(text).toContain("missing service name");
    expect(text).toContain("1 valid span(s) stored");
    expect((await findTraceSpans(ctx.db.sql, traceId)).map((s) => s.spanId)).toEqual(["0000000000000001"]);
  });
});

describe("Zipkin: one bad span costs only itself", () => {
  const zipkinSpan = (id: string, over: Record<string, unknown> = {}) => ({
    traceId: "5af7183fb1d4cf5f463ac35c9f6413ae",
    id,
    name: "get /api",
    kind: "SERVER",
    timestamp: Date.now() * 1000,
    duration: 2000,
    localEndpoint: { serviceName: "zipkin-hostile" },
    ...over,
  });
  const ids = async (traceId: string) => (await findTraceSpans(ctx.db.sql, traceId)).map((s) => s.spanId).sort();

  it("an annotation timestamp of 1e400 rejects that span with a message, not the request", async () => {
    const good = JSON.stringify(zipkinSpan("00000000000000a1"));
    const bad = JSON.stringify(zipkinSpan("00000000000000a2", { annotations: [{ timestamp: 0, value: "x" }] })).replace(
      '"timestamp":0',
      '"timestamp":1e400',
    );
    const res = await post(zipkinUrl(), `[${good},${bad}]`, { "content-type": "application/json" });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toBe(
      "1 span(s) rejected: annotations[0].timestamp must be a non-negative number of microseconds (1 span: #1); 1 valid span(s) stored",
    );
    expect(await ids("5af7183fb1d4cf5f463ac35c9f6413ae")).toContain("00000000000000a1");
  });

  it("tags nested 35,000 deep (as deep as the body limit here allows) reject that span without walking them", async () => {
    const traceId = "5af7183fb1d4cf5f463ac35c9f6413af";
    const deep = `${'{"a":'.repeat(35_000)}1${"}".repeat(35_000)}`;
    const bad = JSON.stringify(zipkinSpan("00000000000000b2", { traceId, tags: { t: "__DEEP__" } })).replace(
      '"__DEEP__"',
      deep,
    );
    const good = JSON.stringify(zipkinSpan("00000000000000b1", { traceId }));
    const res = await post(zipkinUrl(), `[${good},${bad}]`, { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("1 span(s) rejected: tags.t must be a string (1 span: #1); 1 valid span(s) stored");
    expect(await ids(traceId)).toEqual(["00000000000000b1"]);
  });

  it('counts Zipkin spans as protocol="zipkin" on /metrics', async () => {
    const traceId = "5af7183fb1d4cf5f463ac35c9f6413b0";
    const metric = async () => {
      const text = await (await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/metrics`)).text();
      return Number(/tracemap_ingest_spans_total\{protocol="zipkin"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await metric();
    const res = await post(
      zipkinUrl(),
      JSON.stringify([zipkinSpan("00000000000000c1", { traceId }), zipkinSpan("00000000000000c2", { traceId })]),
      { "content-type": "application/json" },
    );
    expect(res.status).toBe(202);
    expect(await metric()).toBe(before + 2);
  });
});

describe("OTLP/gRPC bad input", () => {
  it("answers undecodable bytes with INVALID_ARGUMENT", async () => {
    const client = new Client(`127.0.0.1:${ctx.collector.ports.otlpGrpc}`, credentials.createInsecure());
    const err = await new Promise<{ code: number; details: string }>((resolve) =>
      client.makeUnaryRequest(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0x01]),
        new Metadata(),
        (e) => resolve(e as unknown as { code: number; details: string }),
      ),
    );
    client.close();
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err.details).toMatch(/cannot decode request/);
    await stillServes();
  });
});
