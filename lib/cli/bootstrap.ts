import { loadConfig, type Config } from "../config";
import { migrate } from "../db/migrate";
import { RenewableSql, type Sql } from "../db/pool";
import { provideDatabase, type DatabaseHandle } from "../runtime/database";

export const log = (part: string) => (msg: string) => console.error(`[${new Date().toISOString()}] ${part}: ${msg}`);

export interface Booted {
  config: Config;
  database: DatabaseHandle;
  sql: Sql;
}

/** Config -> database (embedded when DATABASE_URL is unset) -> migrations. Shared by every entry point. */
export async function boot(part: string, poolSize: (c: Config) => number = () => 10): Promise<Booted> {
  const config = loadConfig();
  const database = await provideDatabase(config, log(part));
  const pool = new RenewableSql(database.url, { max: poolSize(config) }, log(part));
  pool.watch();
  const sql = pool.sql;
  const applied = await migrate(sql);
  if (applied.length) log(part)(`applied migrations: ${applied.join(", ")}`);
  return { config, database, sql };
}

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits (with `process.exitCode` when one was set). Repeated signals are
 * ignored (Ctrl-C reaches a whole process group, then the supervisor sends SIGTERM too); a deadline still
 * guarantees the exit.
 */
export function onShutdown(part: string, stop: () => Promise<void>, deadlineMs = 25_000): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(part)(`${signal}: shutting down`);
    setTimeout(() => {
      log(part)("shutdown deadline passed; exiting");
      process.exit(1);
    }, deadlineMs).unref();
    stop()
      .then(() => process.exit())
      .catch((err: unknown) => {
        log(part)(`shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  };
  process.on("SIGINT", () => handler("SIGINT"));
  process.on("SIGTERM", () => handler("SIGTERM"));
}

export function runMain(part: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    log(part)(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
