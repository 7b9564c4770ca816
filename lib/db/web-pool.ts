import { RenewableSql, type Sql } from "./pool";

// One postgres.js pool per web server process (kept on globalThis across Next's module reloads).
const g = globalThis as unknown as { tracemapSql?: Sql };

export function webSql(): Sql {
  if (!g.tracemapSql) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set; start the web app with `npm start` or `npm run web`");
    const pool = new RenewableSql(url, { max: 8 }, (m) => console.error(`web: ${m}`));
    pool.watch();
    g.tracemapSql = pool.sql;
  }
  return g.tracemapSql;
}
