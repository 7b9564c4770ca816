import { prisma } from "./prisma";

export interface ServiceSeen {
  name: string;
  spans: number;
  lastSeen: Date;
}

export async function servicesSince(since: Date): Promise<ServiceSeen[]> {
  const rows = await prisma().span.groupBy({
    by: ["serviceName"],
    where: { startTime: { gte: since } },
    _count: { _all: true },
    _max: { startTime: true },
    orderBy: { serviceName: "asc" },
  });
  return rows.map((r) => ({ name: r.serviceName, spans: r._count._all, lastSeen: r._max.startTime! }));
}
