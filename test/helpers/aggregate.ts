import { aggregateOnce } from "../../lib/aggregator/aggregate";
import type { Sql } from "../../lib/db/pool";

/** Closes the current epoch and processes everything committed so far (wait window 0). */
export async function aggregateAll(sql: Sql): Promise<void> {
  await aggregateOnce(sql, { waitMs: 0, epochIntervalMs: 0 });
  await new Promise((r) => setTimeout(r, 5));
  await aggregateOnce(sql, { waitMs: 0, epochIntervalMs: 0 });
}
