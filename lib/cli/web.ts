import { boot, log, onShutdown, runMain } from "./bootstrap";
import { ensureWebBuild, heapFlags, nextCommand, supervise } from "./processes";

runMain("web", async () => {
  const { config, database, sql } = await boot("web", () => 1);
  await sql.end();
  ensureWebBuild(log("web"));
  const web = supervise(
    "web",
    nextCommand(heapFlags(config.WEB_MAX_HEAP_MB), "start", "-p", String(config.WEB_PORT)),
    { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1" },
    log("web"),
  );
  onShutdown("web", async () => {
    await web.stop();
    await database.stop();
  });
});
