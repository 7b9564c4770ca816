import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client, credentials, Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { createSql, type Sql } from "../../lib/db/pool";
import { migrate } from "../../lib/db/migrate";
import { countSpans, findTraceSpans } from "../../lib/db/span-reads";
import { startTestCollector } from "../helpers/collector";
import { protobufRequest, sdkSpans } from "../helpers/otlp-payloads";
import type { RunningCollector } from "../../lib/ingest/collector";

// This file stops and restarts PostgreSQL, so it runs its own embedded server rather than the shared one.
const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "tracemap-ack-")), "pg");
// Below the kernel's ephemeral range (32768 and up), where no outgoing connection can hold the port: this server
// restarts on it. CI once failed to start it on 58884, inside that range.
const port = 30000 + Math.floor(Math.random() * 1000);
let pg: EmbeddedDatabase;
let sql: Sql;
let collector: RunningCollector;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir, port });
  sql = createSql(pg.url, { connectTimeoutSeconds: 2 });
  await migrate(sql);
  collector = await startTestCollector(sql, { RETRY_AFTER_SECONDS: "7" });
});
afterAll(async () => {
  await collector.close();
  await sql.end({ timeout: 1 });
  await pg.stop();
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

const send = (body: Buffer) =>
  fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces`, {
    method: "POST",
    body: new Uint8Array(body),
    headers: { "content-type": "application/x-protobuf" },
  });

function grpcExport(body: Buffer): Promise<{ code: number; details: string; metadata?: Metadata } | null> {
  const client = new Client(`127.0.0.1:${collector.ports.otlpGrpc}`, credentials.createInsecure());
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new Metadata(),
      (err) => {
        client.close();
        resolve(err as never);
      },
    ),
  );
}

it("answers 503/UNAVAILABLE while the database is down, stores nothing, and accepts retries once it is back", async () => {
  const warmup = sdkSpans("ack-warmup", 1);
  expect((await send(protobufRequest(warmup))).status).toBe(200);
  expect(await countSpans(sql)).toBe(2);

  await pg.stop();
  const whileDown = sdkSpans("ack-down", 3);
  const res = await send(protobufRequest(whileDown));
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("7");
  const grpcErr = await grpcExport(protobufRequest(whileDown));
  expect(grpcErr?.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(grpcErr?.metadata?.get("retry-after")).toEqual(["7"]);

  pg = await startEmbeddedPostgres({ dataDir, port });
  // Nothing from the refused requests reached the database.
  expect(await countSpans(sql)).toBe(2);
  expect(await findTraceSpans(sql, whileDown[0]!.spanContext().traceId)).toHaveLength(0);

  // The exporter's retry of the same batch now lands, exactly once even though it was sent over two protocols.
  expect((await send(protobufRequest(whileDown))).status).toBe(200);
  expect(await grpcExport(protobufRequest(whileDown))).toBeNull();
  expect(await findTraceSpans(sql, whileDown[0]!.spanContext().traceId)).toHaveLength(4);
  expect(await countSpans(sql)).toBe(6);
});
