import type { PrismaClient } from "./prisma";

export interface ServiceSeen {
  name: string;
  spans: number;
  lastSeen: Date;
}

/** Services with spans since `since`: how many and the newest. */
export async function servicesSince(prisma: PrismaClient, since: Date): Promise<ServiceSeen[]> {
  const rows = await prisma.span.groupBy({
    by: ["serviceName"],
    where: { startTime: { gte: since } },
    _count: { _all: true },
    _max: { startTime: true },
    orderBy: { serviceName: "asc" },
  });
  return rows.map((r) => ({ name: r.serviceName, spans: r._count._all, lastSeen: r._max.startTime! }));
}
