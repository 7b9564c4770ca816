import type { Queryable, Sql } from "./pool";

const EPOCH_LOCK_KEY = 72_707_371;

/**
 * The xid8 below which every span is rolled up by every shard: the bound of the epoch all shards have processed
 * (a scalar sub-select; NULL before any epoch). What retention by value and compaction may touch.
 */
export const aggregatedXidBound = (sql: Queryable) => sql`
  (SELECT e.xid_bound FROM ingest_epochs e WHERE e.epoch = (SELECT min(processed_epoch) FROM aggregator_shards))`;

export interface Epoch {
  epoch: number;
  xidBound: bigint;
  recordedAt: Date;
}

/** Records a new epoch when the last one is at least `minIntervalMs` old. */
export async function recordEpoch(sql: Sql, minIntervalMs: number): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${EPOCH_LOCK_KEY})`;
    await tx`
      INSERT INTO ingest_epochs (epoch, xid_bound, recorded_at)
      SELECT coalesce(max(epoch), 0) + 1, pg_snapshot_xmax(pg_current_snapshot()), clock_timestamp()
      FROM ingest_epochs
      HAVING coalesce(max(recorded_at), '-infinity') <= clock_timestamp() - make_interval(secs => ${minIntervalMs / 1000})`;
  });
}

type Tx = Queryable;

export async function getEpoch(tx: Tx, epoch: number): Promise<Epoch | null> {
  const [row] = await tx<{ epoch: bigint; xid_bound: string; recorded_at: Date }[]>`
    SELECT epoch, xid_bound::text, recorded_at FROM ingest_epochs WHERE epoch = ${epoch}`;
  return row ? { epoch: Number(row.epoch), xidBound: BigInt(row.xid_bound), recordedAt: row.recorded_at } : null;
}

/**
 * The last epoch whose spans still pair with spans of `epoch`: every epoch that began (the previous epoch was
 * recorded) within `waitMs` of this one's end. So two spans whose transactions started within the wait always
 * pair, however unevenly epochs were recorded. `ready` says whether that epoch has been recorded yet.
 */
export async function windowOf(tx: Tx, epoch: number, waitMs: number): Promise<{ end: number; ready: boolean }> {
  // Compared in SQL: recorded_at has microseconds, a JS Date only milliseconds.
  const [row] = await tx<{ end: bigint; ready: boolean }[]>`
    WITH w AS (
      SELECT max(f.epoch) + 1 AS end FROM ingest_epochs f, ingest_epochs e
      WHERE e.epoch = ${epoch} AND f.recorded_at <= e.recorded_at + make_interval(secs => ${waitMs / 1000})
    )
    SELECT w.end, EXISTS (SELECT 1 FROM ingest_epochs WHERE epoch = w.end) AS ready FROM w`;
  return { end: Number(row!.end), ready: row!.ready };
}

/** Window ends of many epochs at once (for partners committed in earlier epochs). */
export async function windowEnds(tx: Tx, epochs: number[], waitMs: number): Promise<Map<number, number>> {
  if (epochs.length === 0) return new Map();
  const rows = await tx<{ epoch: bigint; end: bigint }[]>`
    SELECT e.epoch, (SELECT max(f.epoch) + 1 FROM ingest_epochs f WHERE f.recorded_at <= e.recorded_at + make_interval(secs => ${waitMs / 1000})) AS end
    FROM ingest_epochs e WHERE e.epoch = ANY(${epochs}::bigint[])`;
  return new Map(rows.map((r) => [Number(r.epoch), Number(r.end)]));
}

/**
 * True when every transaction of this database that could have written into epochs below `bound` has finished.
 * Transaction ids are cluster-wide, so running transactions of other databases on the same server are
 * recognised through pg_stat_activity and ignored; one we cannot attribute counts as ours.
 */
export async function isClosed(tx: Tx, bound: bigint): Promise<boolean> {
  const [row] = await tx<{ closed: boolean }[]>`
    SELECT NOT EXISTS (
      SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
      WHERE x.xid < ${bound.toString()}::xid8
        AND NOT EXISTS (
          SELECT 1 FROM pg_stat_activity a
          WHERE a.datname IS NOT NULL AND a.datname <> current_database() AND a.backend_xid IS NOT NULL
            AND a.backend_xid::text::bigint = (x.xid::text::numeric % 4294967296)::bigint)
    ) AS closed`;
  return row!.closed;
}

/**
 * Seconds since the newest fully aggregated epoch was recorded: everything committed before then is on the map.
 * It includes the pairing wait (AGGREGATOR_WAIT_MS) by design. Null before the first epoch.
 */
export async function aggregatorLag(sql: Sql): Promise<{ lagSeconds: number; pendingEpochs: number } | null> {
  // The slowest shard decides: its epoch is the newest one every shard has finished.
  const [row] = await sql<{ lag: number | null; pending: number }[]>`
    SELECT extract(epoch FROM now() - (SELECT recorded_at FROM ingest_epochs WHERE epoch = p.done))::float8 AS lag,
           (SELECT count(*) FROM ingest_epochs e WHERE e.epoch > p.done)::int AS pending
    FROM (SELECT min(processed_epoch) AS done FROM aggregator_shards) p WHERE p.done IS NOT NULL`;
  if (!row || row.lag === null) return null;
  return { lagSeconds: row.lag, pendingEpochs: row.pending };
}

/**
 * The aggregation watermark: when the newest epoch that every shard has counted (early pass) was recorded.
 * Everything acknowledged before it is in the roll-ups, except calls still waiting for a partner. Null before
 * any epoch was counted.
 */
export async function settledUntil(sql: Queryable): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`
    SELECT (SELECT recorded_at FROM ingest_epochs WHERE epoch = p.done) AS at
    FROM (SELECT min(greatest(early_epoch, processed_epoch)) AS done FROM aggregator_shards) p`;
  return row?.at ?? null;
}
