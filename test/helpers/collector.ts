import { loadConfig } from "../../lib/config";
import { startCollector, type RunningCollector } from "../../lib/ingest/collector";
import type { Sql } from "../../lib/db/pool";

/** A real collector on ephemeral loopback ports. */
export function startTestCollector(sql: Sql, env: Record<string, string> = {}): Promise<RunningCollector> {
  const config = loadConfig({
    INGEST_HOST: "127.0.0.1",
    OTLP_HTTP_PORT: "0",
    OTLP_GRPC_PORT: "0",
    ZIPKIN_PORT: "0",
    ...env,
  });
  return startCollector(config, sql, () => {});
}
