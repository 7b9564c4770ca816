import type { Queryable } from "./pool";

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

/** Thinned per statement; a pass goes on slice after slice for about `budgetMs`, so catching up takes few passes. */
const SLICE_MS = 10 * 60_000;

/**
 * Thins the next slices of raw spans whose start is before now - rawMinutes. Only spans the aggregator has finished
 * (committed below the bound of the epoch every shard has processed) are dropped: a late span of an old start time
 * that is not rolled up yet is kept. Returns the spans deleted and how far thinning has come.
 */
export async function thinRawSpans(
  sql: Queryable,
  p: ValueRetention,
  now = Date.now(),
  budgetMs = 5_000,
): Promise<{ deleted: number; until: Date }> {
  const started = performance.now();
  const cutoff = now - p.rawMinutes * 60_000;
  const [row] = await sql<{ until: Date }[]>`SELECT until FROM raw_span_thinning WHERE id = 1`;
  let from = row?.until.getTime() ?? now - p.spanRetentionHours * 3_600_000;
  let deleted = 0;
  while (from < cutoff && performance.now() - started < budgetMs) {
    const to = Math.min(from + SLICE_MS, cutoff);
    deleted += await thinSlice(sql, new Date(from), new Date(to), p.samplePercent);
    from = to;
    await sql`
      INSERT INTO raw_span_thinning (id, until) VALUES (1, ${new Date(from)})
      ON CONFLICT (id) DO UPDATE SET until = EXCLUDED.until`;
  }
  return { deleted, until: new Date(from) };
}

/** One slice [from, to): every span not of a kept trace, and already aggregated, is deleted. */
async function thinSlice(sql: Queryable, from: Date, to: Date, samplePercent: number): Promise<number> {
  const keepPer10k = Math.round(samplePercent * 100);
  const result = await sql`
    WITH aggregated AS (
      SELECT e.xid_bound FROM ingest_epochs e
      WHERE e.epoch = (SELECT min(processed_epoch) FROM aggregator_shards)
    )
    DELETE FROM spans s USING aggregated a
    WHERE s.start_time >= ${from} AND s.start_time < ${to} AND s.ingest_xid < a.xid_bound
      AND (hashtext(encode(s.trace_id, 'hex')) & 2147483647) % 10000 >= ${keepPer10k}
      AND NOT EXISTS (SELECT 1 FROM spans e WHERE e.trace_id = s.trace_id AND e.status_code = 2)
      AND NOT EXISTS (SELECT 1 FROM edge_examples x WHERE x.trace_id = s.trace_id)
      AND NOT EXISTS (SELECT 1 FROM pinned_traces p WHERE p.trace_id = s.trace_id)`;
  return result.count;
}
