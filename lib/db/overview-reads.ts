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

export interface TraceSpanRow {
  spanId: string;
  parentSpanId: string | null;
  serviceName: string;
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  statusCode: number;
  statusMessage: string | null;
  attributes: unknown;
}

const TRACE_SPAN_FIELDS = { spanId: true, parentSpanId: true, serviceName: true, name: true, kind: true, startNs: true, durationNs: true, statusCode: true, statusMessage: true, attributes: true } as const;

/** The spans of a trace; the copies kept for example traces once raw spans have expired. */
export async function traceSpans(traceIdHex: string): Promise<TraceSpanRow[]> {
  const query = { where: { traceId: Buffer.from(traceIdHex, "hex") }, orderBy: [{ startNs: "asc" as const }], select: TRACE_SPAN_FIELDS };
  let rows = await prisma().span.findMany(query);
  if (rows.length === 0) rows = await prisma().exampleSpan.findMany(query);
  return rows.map((r) => ({
    ...r,
    spanId: Buffer.from(r.spanId).toString("hex"),
    parentSpanId: r.parentSpanId ? Buffer.from(r.parentSpanId).toString("hex") : null,
  }));
}
