import { prisma } from "./prisma";

export interface ServiceSeen {
  name: string;
  spans: number;
  lastSeen: Date;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  start: Date;
  durationMs: number;
  error: boolean;
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

/** The most recent root spans: one row per trace whose root has arrived. */
export async function recentRootSpans(since: Date, limit: number): Promise<TraceSummary[]> {
  const rows = await prisma().span.findMany({
    where: { startTime: { gte: since }, parentSpanId: null },
    orderBy: { startTime: "desc" },
    take: limit,
    select: { traceId: true, serviceName: true, name: true, startTime: true, durationNs: true, statusCode: true },
  });
  return rows.map((r) => ({
    traceId: Buffer.from(r.traceId).toString("hex"),
    rootService: r.serviceName,
    rootName: r.name,
    start: r.startTime,
    durationMs: Number(r.durationNs) / 1e6,
    error: r.statusCode === 2,
  }));
}
