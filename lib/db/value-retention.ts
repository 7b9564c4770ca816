import type { Queryable, Sql } from "./pool";
import { aggregatedXidBound } from "./epochs";

/**
 * Retention by value (tail-based, after aggregation): raw spans older than `rawMinutes` are kept only for traces
 * worth keeping, for the rest of the raw retention (SPAN_RETENTION_HOURS): a trace with an error span, an example
 * of an edge (the slowest, failed, typical and exemplar calls), a pinned trace, or one in the `samplePercent`
 * probabilistic sample (by trace id, so a trace is kept or dropped whole). The map is unchanged: it was rolled up
 * from every span before any is dropped.
 */
export interface ValueRetention {
  rawMinutes: number;
  samplePercent: number;
  /** Where thinning starts the first time: the oldest raw spans kept. */
  spanRetentionHours: number;
}

/**
 * Thinned per statement: a minute of spans (1.2M at 20k spans/s) is one DELETE of bounded length. A pass goes on
 * slice after slice for about `budgetMs`, so catching up takes few passes.
 */
const SLICE_MS = 60_000;
/** One thinning at a time, whatever the number of aggregator processes. */
const THINNING_LOCK_KEY = 72_707_371;

/**
 * Thins the next slices of raw spans whose start is before now - rawMinutes. Only spans the aggregator has finished
 * (committed below the bound of the epoch every shard has processed) are dropped: a late span of an old start time
 * that is not rolled up yet is kept. Returns the spans deleted and how far thinning has come.
 */
export async function thinRawSpans(
  sql: Sql,
  p: ValueRetention,
  now = Date.now(),
  budgetMs = 5_000,
): Promise<{ deleted: number; until: Date }> {
  const started = performance.now();
  const cutoff = now - p.rawMinutes * 60_000;
  let deleted = 0;
  let until = new Date(0);
  for (;;) {
    // Each slice and its progress in one transaction, under a lock another aggregator process skips.
    const step = await sql.begin(async (tx) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${THINNING_LOCK_KEY}) AS ok`;
      const [row] = await tx<{ until: Date }[]>`SELECT until FROM raw_span_thinning WHERE id = 1`;
      const from = row?.until.getTime() ?? now - p.spanRetentionHours * 3_600_000;
      if (!lock?.ok || from >= cutoff) return { deleted: 0, until: new Date(from), done: true };
      const to = Math.min(from + SLICE_MS, cutoff);
      const n = await thinSlice(tx, new Date(from), new Date(to), p.samplePercent);
      await tx`
        INSERT INTO raw_span_thinning (id, until) VALUES (1, ${new Date(to)})
        ON CONFLICT (id) DO UPDATE SET until = EXCLUDED.until`;
      return { deleted: n, until: new Date(to), done: false };
    });
    deleted += step.deleted;
    until = step.until;
    if (step.done || performance.now() - started >= budgetMs) return { deleted, until };
  }
}

/**
 * One slice [from, to): every span not of a kept trace, and already aggregated, is deleted; so is every compacted
 * chunk of such a trace (compaction moves only aggregated spans). A trace with an error span anywhere, raw or
 * compacted, is kept whole.
 */
async function thinSlice(sql: Queryable, from: Date, to: Date, samplePercent: number): Promise<number> {
  const keepPer10k = Math.round(samplePercent * 100);
  const dropped = (t: string) => sql`
    (hashtext(encode(${sql.unsafe(t)}.trace_id, 'hex')) & 2147483647) % 10000 >= ${keepPer10k}
    AND NOT EXISTS (SELECT 1 FROM spans e WHERE e.trace_id = ${sql.unsafe(t)}.trace_id AND e.status_code = 2)
    AND NOT EXISTS (SELECT 1 FROM trace_chunks e WHERE e.trace_id = ${sql.unsafe(t)}.trace_id AND e.has_error)
    AND NOT EXISTS (SELECT 1 FROM edge_examples x WHERE x.trace_id = ${sql.unsafe(t)}.trace_id)
    AND NOT EXISTS (SELECT 1 FROM pinned_traces p WHERE p.trace_id = ${sql.unsafe(t)}.trace_id)`;
  const raw = await sql`
    DELETE FROM spans s
    WHERE s.start_time >= ${from} AND s.start_time < ${to} AND s.ingest_xid < ${aggregatedXidBound(sql)}
      AND ${dropped("s")}`;
  const chunks = await sql<{ n: number }[]>`
    WITH gone AS (
      DELETE FROM trace_chunks c WHERE c.first_start >= ${from} AND c.first_start < ${to} AND ${dropped("c")}
      RETURNING c.span_count
    )
    SELECT coalesce(sum(span_count), 0)::int AS n FROM gone`;
  return raw.count + (chunks[0]?.n ?? 0);
}
