import { boot, log, runMain } from "./bootstrap";

runMain("migrate", async () => {
  const { sql, database } = await boot("migrate", () => 1);
  log("migrate")("database is up to date");
  await sql.end();
  await database.stop();
});
