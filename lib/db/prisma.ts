import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

// One client per process; Next's dev server re-evaluates modules, so keep it on globalThis.
const globalForPrisma = globalThis as unknown as { tracemapPrisma?: PrismaClient };

export function prisma(): PrismaClient {
  if (!globalForPrisma.tracemapPrisma) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set; start the web app with `npm start` or `npm run web`");
    globalForPrisma.tracemapPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 5 }) });
  }
  return globalForPrisma.tracemapPrisma;
}
