import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, credentials, Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { jsonRequest, protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import type { RunningCollector } from "../../lib/ingest/collector";
import { countSpans, findTraceSpans } from "../../lib/db/span-reads";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const post = (c: RunningCollector, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${c.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-type": "application/x-protobuf", ...headers },
  });

describe("hostile strings", () => {
  it("are stored verbatim (NUL excepted, which PostgreSQL cannot hold)", async () => {
    const collector = await startTestCollector(db.sql);
    try {
      const spans = sdkSpans("hostile", 0);
      const req = jsonRequest(spans);
      const hostile = {
        sql: "'; drop table spans; --",
        html: "<img src=x onerror=alert(1)><script>alert(1)</script>",
        copy: "tab\there\nnew line\\N back\\slash \\x00",
        unicode: "\u202Eevil\u200B\u{1F600}",
        lone: "a\uD800b",
        nul: "a\u0000b",
      };
      const span = req.resourceSpans[0].scopeSpans[0].spans[0];
      span.name = hostile.sql + hostile.copy;
      span.attributes = Object.entries(hostile).map(([key, v]) => ({ key, value: { stringValue: v } }));
      span.attributes.push({ key: hostile.html, value: { stringValue: "key is html" } });
      const res = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, {
        method: "POST",
        body: JSON.stringify(req),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
      const [stored] = await findTraceSpans(db.sql, spans[0]!.spanContext().traceId);
      expect(stored!.name).toBe(hostile.sql + hostile.copy);
      expect(stored!.attributes).toEqual({
        ...hostile,
        lone: "a\uFFFDb",
        nul: "a\uFFFDb",
        [hostile.html]: "key is html",
      });
      expect(await db.sql`SELECT 1 FROM spans LIMIT 1`).toHaveLength(1);
    } finally {
      await collector.close();
    }
  });
});

describe("span age", () => {
  it("rejects spans older than the raw-span retention even when the age limit is longer", async () => {
    const collector = await startTestCollector(db.sql, { SPAN_MAX_AGE_HOURS: "168", SPAN_RETENTION_HOURS: "24" });
    try {
      const req = jsonRequest(sdkSpans("too-old", 0));
      const span = req.resourceSpans[0].scopeSpans[0].spans[0];
      const start = (BigInt(Date.now()) - 30n * 3600_000n) * 1_000_000n;
      span.startTimeUnixNano = start.toString();
      span.endTimeUnixNano = (start + 1_000_000n).toString();
      const res = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, {
        method: "POST",
        body: JSON.stringify(req),
        headers: { "content-type": "application/json" },
      });
      expect((await res.json()).partialSuccess).toEqual({
        rejectedSpans: "1",
        errorMessage: expect.stringContaining("older than the accepted age"),
      });
    } finally {
      await collector.close();
    }
  });
});

describe("back-pressure", () => {
  it("answers 503 with Retry-After when the write queue is full, and accepts what fits", async () => {
    const collector = await startTestCollector(db.sql, { WRITE_QUEUE_MAX_SPANS: "5", RETRY_AFTER_SECONDS: "3" });
    try {
      const tooMany = sdkSpans("queue-full", 9);
      const res = await post(collector, protobufRequest(tooMany));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("3");
      expect(await findTraceSpans(db.sql, tooMany[0]!.spanContext().traceId)).toHaveLength(0);
      const fits = sdkSpans("queue-fits", 3);
      expect((await post(collector, protobufRequest(fits))).status).toBe(200);
      expect(await findTraceSpans(db.sql, fits[0]!.spanContext().traceId)).toHaveLength(4);
    } finally {
      await collector.close();
    }
  });
});

describe("INGEST_TOKEN", () => {
  it("is required on OTLP/HTTP, Zipkin and gRPC, and an exporter with the header gets through", async () => {
    const collector = await startTestCollector(db.sql, { INGEST_TOKEN: "s3cret" });
    try {
      const before = await countSpans(db.sql);
      const body = protobufRequest(sdkSpans("no-token", 1));
      const unauth = await post(collector, body);
      expect(unauth.status).toBe(401);
      expect((await post(collector, body, { authorization: "Bearer wrong" })).status).toBe(401);
      const zipkin = await fetch(`http://127.0.0.1:${collector.ports.zipkin}/api/v2/spans`, {
        method: "POST",
        body: "[]",
        headers: { "content-type": "application/json" },
      });
      expect(zipkin.status).toBe(401);
      const grpcErr = await new Promise<{ code: number } | null>((resolve) => {
        const client = new Client(`127.0.0.1:${collector.ports.otlpGrpc}`, credentials.createInsecure());
        client.makeUnaryRequest(
          "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          new Metadata(),
          (e) => {
            client.close();
            resolve(e as never);
          },
        );
      });
      expect(grpcErr?.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(await countSpans(db.sql)).toBe(before);

      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ "service.name": "with-token" }),
        spanProcessors: [
          new SimpleSpanProcessor(
            new ProtoExporter({
              url: `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`,
              headers: { authorization: "Bearer s3cret" },
            }),
          ),
        ],
      });
      const span = provider.getTracer("t").startSpan("authorised");
      span.end();
      await provider.forceFlush();
      await provider.shutdown();
      expect(await findTraceSpans(db.sql, span.spanContext().traceId)).toHaveLength(1);
    } finally {
      await collector.close();
    }
  });
});
