import type { TestProject } from "vitest/node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../../lib/db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/** One PostgreSQL for the whole run: DATABASE_URL when set, else an embedded one in a temp directory. */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("adminDatabaseUrl", process.env.DATABASE_URL);
    return;
  }
  const { db, dir } = await startWithRetries();
  project.provide("adminDatabaseUrl", db.url);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

/** A random port can be taken (another run, a product test's server): try a few, each with a fresh directory. */
async function startWithRetries() {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(path.join(tmpdir(), "tracemap-test-"));
    const port = 56000 + Math.floor(Math.random() * 2000);
    const log: string[] = [];
    try {
      return { db: await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port, log: (m) => log.push(m) }), dir };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw new Error(`${String(err)}\n${log.join("\n")}`);
      console.warn(
        `embedded PostgreSQL attempt ${attempt} failed on port ${port}, retrying:\n${log.slice(-5).join("\n")}`,
      );
    }
  }
}
