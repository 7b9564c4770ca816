import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// Guards lib/cli/patch-postgres.ts: defects of postgres.js 3.4.9 that take a process down.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it("a new connection whose internal array-types query fails raises no unhandled rejection (upstream #1192)", async () => {
  const unhandled: unknown[] = [];
  const record = (err: unknown) => unhandled.push(err);
  process.on("unhandledRejection", record);
  try {
    // A 1 ms statement_timeout set at startup cancels the catalog query every new connection runs first.
    let failed = 0;
    for (let i = 0; i < 10; i++) {
      const sql = postgres(db.url, { max: 1, connection: { statement_timeout: 1 }, onnotice: () => {} });
      await sql`SELECT 1`.catch(() => failed++);
      await sql.end();
    }
    await new Promise((r) => setTimeout(r, 100)); // unhandled rejections are reported after the microtask queue
    expect(unhandled.map(String)).toEqual([]);
    console.log(
      `10 new connections with a 1 ms statement_timeout: ${failed} first queries failed, no unhandled rejection`,
    );
  } finally {
    process.off("unhandledRejection", record);
  }
});
