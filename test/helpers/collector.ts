import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../lib/config";
import { createTestDatabase, type TestDatabase } from "./db";
import { startCollector, type RunningCollector } from "../../lib/ingest/collector";
import type { Sql } from "../../lib/db/pool";

/** A real collector on ephemeral loopback ports. */
export function startTestCollector(sql: Sql, env: Record<string, string> = {}): Promise<RunningCollector> {
  const config = loadConfig({
    INGEST_HOST: "127.0.0.1",
    OTLP_HTTP_PORT: "0",
    OTLP_GRPC_PORT: "0",
    ZIPKIN_PORT: "0",
    XRAY_PORT: "0",
    DATADOG_PORT: "0",
    ...env,
  });
  return startCollector(config, sql, () => {});
}

/** For a test file: a fresh database and a collector on it, for all its tests, torn down after them. */
export function useCollectorDatabase(env: Record<string, string> = {}): {
  db: TestDatabase;
  collector: RunningCollector;
} {
  const ctx = {} as { db: TestDatabase; collector: RunningCollector };
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.collector = await startTestCollector(ctx.db.sql, env);
  });
  afterAll(async () => {
    await ctx.collector?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
