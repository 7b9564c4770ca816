import type { Sql } from "./pool";

const DAY_MS = 86_400_000;
const PARTITION_LOCK_KEY = 72_707_370;

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** The day-partitioned tables: raw spans by start_time, compacted chunks by first_start. */
export type PartitionedTable = "spans" | "trace_chunks";

function partitionName(table: PartitionedTable, day: number): string {
  return `${table}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/** Creates the daily partitions of `table` that are missing. Safe to call from several processes at once. */
export async function ensureSpanPartitions(
  sql: Sql,
  days: Iterable<number>,
  table: PartitionedTable = "spans",
): Promise<void> {
  const wanted = [...new Set(days)].sort();
  if (wanted.length === 0) return;
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`;
    for (const day of wanted) {
      const from = new Date(day * DAY_MS).toISOString();
      const to = new Date((day + 1) * DAY_MS).toISOString();
      // Names and bounds come from integers we computed, never from input.
      await tx.unsafe(
        `CREATE TABLE IF NOT EXISTS "${partitionName(table, day)}" PARTITION OF "${table}" FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
    }
  });
}

export async function listSpanPartitions(
  sql: Sql,
  table: PartitionedTable = "spans",
): Promise<{ name: string; day: number }[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${table} ORDER BY c.relname`;
  return rows.flatMap((r) => {
    const m = /^[a-z_]+_p(\d{4})(\d{2})(\d{2})$/.exec(r.name);
    return m ? [{ name: r.name, day: dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) }] : [];
  });
}

/** Drops every partition (of spans and of chunks) whose whole day ended before `cutoff`. Returns the dropped names. */
export async function dropSpanPartitionsBefore(sql: Sql, cutoff: Date): Promise<string[]> {
  const dropped: string[] = [];
  const partitions = [...(await listSpanPartitions(sql)), ...(await listSpanPartitions(sql, "trace_chunks"))];
  for (const p of partitions) {
    if ((p.day + 1) * DAY_MS <= cutoff.getTime()) {
      await sql.unsafe(`DROP TABLE IF EXISTS "${p.name}"`);
      dropped.push(p.name);
    }
  }
  return dropped;
}
