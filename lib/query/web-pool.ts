import { RenewableSql, type Sql } from "../db/pool";
import { prismaClient, type PrismaClient } from "../db/prisma";

// One postgres.js pool per web server process (kept on globalThis across Next's module reloads).
const g = globalThis as unknown as { tracemapSql?: Sql; tracemapPrisma?: PrismaClient };

export function webSql(): Sql {
  if (!g.tracemapSql) {
    const pool = new RenewableSql(databaseUrl(), { max: 8 }, (m) => console.error(`web: ${m}`));
    pool.watch();
    g.tracemapSql = pool.sql;
  }
  return g.tracemapSql;
}

/** The web process's Prisma client, for the simple reads Prisma serves. */
export function webPrisma(): PrismaClient {
  g.tracemapPrisma ??= prismaClient(databaseUrl());
  return g.tracemapPrisma;
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set; start the web app with `npm start` or `npm run web`");
  return url;
}
