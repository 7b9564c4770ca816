import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { parsePrismaSchema } from "../helpers/prisma-schema";
import { migrate, MIGRATIONS_DIR, readMigrations } from "../../lib/db/migrate";
import { columnOf, MODEL_FIELDS } from "../../lib/db/tables";
import { dropSpanPartitionsBefore, ensureSpanPartitions, listSpanPartitions, dayOf } from "../../lib/db/partitions";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("schema.prisma and the migrated database", () => {
  it("describe the same tables, columns, types, nullability, defaults, keys and indexes", async () => {
    const models = parsePrismaSchema(path.resolve(MIGRATIONS_DIR, "../schema.prisma"));
    const dbTables = await db.sql<{ table_name: string }[]>`
      SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`;
    expect(dbTables.map((t) => t.table_name).sort()).toEqual(models.map((m) => m.table).sort());

    for (const model of models) {
      const cols = await db.sql<
        { column_name: string; udt_name: string; is_nullable: string; column_default: string | null }[]
      >`
        SELECT column_name, udt_name, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ${model.table} ORDER BY ordinal_position`;
      expect(
        cols.map((c) => ({
          column: c.column_name,
          pgType: c.udt_name,
          nullable: c.is_nullable === "YES",
          hasDefault: c.column_default !== null,
        })),
      ).toEqual(model.columns);

      const indexes = await db.sql<{ primary: boolean; method: string; columns: string[] }[]>`
        SELECT i.indisprimary AS primary, am.amname AS method,
               array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        WHERE t.relname = ${model.table}`;
      expect(indexes.find((i) => i.primary)?.columns).toEqual(model.primaryKey);
      expect(
        indexes
          .filter((i) => !i.primary)
          .map((i) => `${i.method}:${i.columns.join(",")}`)
          .sort(),
      ).toEqual([...model.indexes].sort());
    }
  });
});

describe("column names derived from the generated client", () => {
  it("name every model's columns as the database has them", async () => {
    expect(Object.keys(MODEL_FIELDS).length).toBe(
      parsePrismaSchema(path.resolve(MIGRATIONS_DIR, "../schema.prisma")).length,
    );
    for (const [model, fields] of Object.entries(MODEL_FIELDS)) {
      const table = parsePrismaSchema(path.resolve(MIGRATIONS_DIR, "../schema.prisma")).find(
        (t) => t.model === model,
      )!.table;
      const cols = await db.sql<{ column_name: string }[]>`
        SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}`;
      const names = new Set(cols.map((c) => c.column_name));
      for (const f of fields) expect(names.has(columnOf(f)), `${model}.${f} -> ${columnOf(f)}`).toBe(true);
    }
  });
});

describe("migration runner", () => {
  it("records every migration the way Prisma Migrate does and is idempotent", async () => {
    const rows = await db.sql<
      {
        id: string;
        checksum: string;
        migration_name: string;
        finished_at: Date | null;
        applied_steps_count: number;
        rolled_back_at: Date | null;
      }[]
    >`
      SELECT id, checksum, migration_name, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`;
    const files = await readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const r of rows) {
      const sqlText = readFileSync(path.join(MIGRATIONS_DIR, r.migration_name, "migration.sql"));
      expect(r.checksum).toBe(createHash("sha256").update(sqlText).digest("hex"));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
      expect(r.rolled_back_at).toBeNull();
    }
    expect(await migrate(db.sql)).toEqual([]);
  });

  it("refuses to start when an applied migration was edited", async () => {
    const files = await readMigrations();
    await db.sql`UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = ${files[0]!.name}`;
    await expect(migrate(db.sql)).rejects.toThrow(/was edited after it was applied/);
    await db.sql`UPDATE _prisma_migrations SET checksum = ${files[0]!.checksum} WHERE migration_name = ${files[0]!.name}`;
    expect(await migrate(db.sql)).toEqual([]);
  });
});

describe("span partitions", () => {
  it("are created per day on demand and dropped whole by retention", async () => {
    const today = dayOf(Date.now());
    await ensureSpanPartitions(db.sql, [today - 3, today - 2, today, today]);
    await ensureSpanPartitions(db.sql, [today]); // idempotent
    expect((await listSpanPartitions(db.sql)).map((p) => p.day)).toEqual([today - 3, today - 2, today]);
    // A cutoff at midnight UTC drops the two old days and keeps today, whatever the time of day.
    const dropped = await dropSpanPartitionsBefore(db.sql, new Date(today * 86_400_000));
    expect(dropped).toHaveLength(2);
    expect((await listSpanPartitions(db.sql)).map((p) => p.day)).toEqual([today]);
  });
});
