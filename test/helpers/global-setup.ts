import type { TestProject } from "vitest/node";
import { mkdtempSync } from "node:fs";
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
  const dir = mkdtempSync(path.join(tmpdir(), "tracemap-test-"));
  const port = 56000 + Math.floor(Math.random() * 2000);
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });
  project.provide("adminDatabaseUrl", db.url);
  return async () => {
    await db.stop();
  };
}
