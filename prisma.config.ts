import { defineConfig } from "prisma/config";

// The CLI reads the URL from here; the app connects through @prisma/adapter-pg (lib/db/prisma.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:54329/tracemap" },
});
