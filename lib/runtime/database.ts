import type { Config } from "../config";
import { startEmbeddedPostgres } from "../db/embedded";
import path from "node:path";

export interface DatabaseHandle {
  url: string;
  /** Stops the embedded server when we started one; a no-op for an external DATABASE_URL. */
  stop(): Promise<void>;
}

/** DATABASE_URL when given, else an embedded PostgreSQL under TRACEMAP_DATA_DIR. */
export async function provideDatabase(
  config: Pick<Config, "DATABASE_URL" | "TRACEMAP_DATA_DIR" | "EMBEDDED_PG_PORT">,
  log: (m: string) => void,
): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => {} };
  const dataDir = path.resolve(config.TRACEMAP_DATA_DIR, "pg");
  log(`no DATABASE_URL: starting embedded PostgreSQL in ${dataDir} on port ${config.EMBEDDED_PG_PORT}`);
  return startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT });
}
