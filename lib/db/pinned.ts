import { copyExampleTraces } from "./aggregation-store";
import type { Queryable, Sql } from "./pool";
import type { PrismaClient } from "./prisma";

export interface PinnedTraceRow {
  traceId: string;
  pinnedAt: Date;
  pinnedBy: string;
  note: string;
}

/**
 * Keeps a trace: records who pinned it and why, and copies its raw spans into example_spans (already-copied example
 * traces keep their copies). False when the trace has neither raw spans nor copies, so there is nothing to keep.
 */
export async function pinTrace(sql: Sql, traceIdHex: string, by: string, note: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    await copyExampleTraces(tx, [traceIdHex]);
    const [kept] = await tx<{ n: bigint }[]>`
      SELECT count(*)::bigint AS n FROM example_spans WHERE trace_id = decode(${traceIdHex}, 'hex')`;
    if (!kept || kept.n === 0n) return false;
    await tx`
      INSERT INTO pinned_traces (trace_id, pinned_by, note) VALUES (decode(${traceIdHex}, 'hex'), ${by}, ${note})
      ON CONFLICT (trace_id) DO UPDATE SET pinned_by = EXCLUDED.pinned_by, note = EXCLUDED.note, pinned_at = now()`;
    return true;
  });
}

/** Lets retention have the trace's copies again (unless it is also an edge's example). */
export async function unpinTrace(prisma: PrismaClient, traceIdHex: string): Promise<boolean> {
  const { count } = await prisma.pinnedTrace.deleteMany({ where: { traceId: Buffer.from(traceIdHex, "hex") } });
  return count > 0;
}

export async function pinnedTraces(prisma: PrismaClient): Promise<PinnedTraceRow[]> {
  const rows = await prisma.pinnedTrace.findMany({ orderBy: { pinnedAt: "desc" }, take: 500 });
  return rows.map((r) => ({
    traceId: Buffer.from(r.traceId).toString("hex"),
    pinnedAt: r.pinnedAt,
    pinnedBy: r.pinnedBy,
    note: r.note,
  }));
}

export async function pinOf(sql: Queryable, traceIdHex: string): Promise<PinnedTraceRow | null> {
  const [row] = await sql<PinnedTraceRow[]>`
    SELECT encode(trace_id, 'hex') AS "traceId", pinned_at AS "pinnedAt", pinned_by AS "pinnedBy", note
    FROM pinned_traces WHERE trace_id = decode(${traceIdHex}, 'hex')`;
  return row ?? null;
}
