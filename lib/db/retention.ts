import type { Queryable } from "./pool";

export interface RetentionPolicy {
  minuteRowsDays: number;
  hourRowsDays: number;
  epochsHours: number;
}

/**
 * Deletes roll-up rows past their retention, examples with their minute rows, copied example spans no example
 * points at any more (unless the trace is pinned), and processed epochs old enough that no pairing window reaches back to them.
 */
export async function applyRollupRetention(
  sql: Queryable,
  p: RetentionPolicy,
  now = new Date(),
): Promise<Record<string, number>> {
  const day = 86_400_000;
  const minuteCutoff = new Date(now.getTime() - p.minuteRowsDays * day);
  const hourCutoff = new Date(now.getTime() - p.hourRowsDays * day);
  const deleted: Record<string, number> = {};
  for (const table of [
    "edge_minutes",
    "service_minutes",
    "quality_minutes",
    "edge_examples",
    "rollup_minute_versions",
  ]) {
    deleted[table] = (await sql.unsafe(`DELETE FROM ${table} WHERE minute < $1`, [minuteCutoff])).count;
  }
  for (const table of ["edge_hours", "service_hours", "quality_hours", "rollup_hour_versions"]) {
    deleted[table] = (await sql.unsafe(`DELETE FROM ${table} WHERE hour < $1`, [hourCutoff])).count;
  }
  deleted.example_spans = (
    await sql`DELETE FROM example_spans s WHERE NOT EXISTS (SELECT 1 FROM edge_examples e WHERE e.trace_id = s.trace_id)
                AND NOT EXISTS (SELECT 1 FROM pinned_traces p WHERE p.trace_id = s.trace_id)`
  ).count;
  deleted.ingest_epochs = (
    await sql`
      DELETE FROM ingest_epochs
      WHERE epoch < (SELECT min(processed_epoch) FROM aggregator_shards) - 1
        AND recorded_at < ${new Date(now.getTime() - p.epochsHours * 3_600_000)}`
  ).count;
  return deleted;
}

/**
 * Deletes resources no span can reference any more: unseen (collectors refresh last_seen hourly while a resource
 * sends) for longer than a span lives (its day partition plus the retention), and not used by a kept copy.
 */
export async function pruneResources(sql: Queryable, spanRetentionHours: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - (spanRetentionHours + 26) * 3_600_000);
  const result = await sql`
    DELETE FROM resources r WHERE r.last_seen < ${cutoff}
      AND NOT EXISTS (SELECT 1 FROM example_spans e WHERE e.resource_id = r.id)`;
  return result.count;
}
