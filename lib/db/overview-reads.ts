import type { PrismaClient } from "./prisma";

export interface ServiceSeen {
  name: string;
  spans: number;
  lastSeen: Date;
}

/** Services with spans since `since`, raw and compacted: how many and the newest. */
export async function servicesSince(prisma: PrismaClient, since: Date): Promise<ServiceSeen[]> {
  const [raw, compacted] = await Promise.all([rawServicesSince(prisma, since), compactedServicesSince(prisma, since)]);
  const merged = new Map(raw.map((r) => [r.name, r]));
  for (const c of compacted) {
    const r = merged.get(c.name);
    merged.set(
      c.name,
      r ? { name: c.name, spans: r.spans + c.spans, lastSeen: r.lastSeen > c.lastSeen ? r.lastSeen : c.lastSeen } : c,
    );
  }
  return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Per service, the spans of compacted chunks that start since `since` (a chunk's last start stands for them). */
async function compactedServicesSince(prisma: PrismaClient, since: Date): Promise<ServiceSeen[]> {
  const rows = await prisma.$queryRaw<{ name: string; spans: bigint; lastSeen: Date }[]>`
    SELECT u.s AS name, sum(u.n)::bigint AS spans, max(c.last_start) AS "lastSeen"
    FROM trace_chunks c, unnest(c.services, c.service_spans) AS u(s, n)
    WHERE c.first_start >= ${since} GROUP BY u.s`;
  return rows.map((r) => ({ name: r.name, spans: Number(r.spans), lastSeen: r.lastSeen }));
}

async function rawServicesSince(prisma: PrismaClient, since: Date): Promise<ServiceSeen[]> {
  const rows = await prisma.span.groupBy({
    by: ["serviceName"],
    where: { startTime: { gte: since } },
    _count: { _all: true },
    _max: { startTime: true },
    orderBy: { serviceName: "asc" },
  });
  return rows.map((r) => ({ name: r.serviceName, spans: r._count._all, lastSeen: r._max.startTime! }));
}
