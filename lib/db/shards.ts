import { planLeases } from "../domain/shard-leases";
import type { Queryable, Sql } from "./pool";

export interface ShardProgress {
  shard: number;
  shardCount: number;
  /** Epochs fully done: both passes. */
  processedEpoch: number;
  /** Epochs whose early pass is done (never below processedEpoch). */
  earlyEpoch: number;
}

type ProgressRow = { shard: number; shard_count: number; processed_epoch: bigint; early_epoch: bigint };
const progressOf = (r: ProgressRow): ShardProgress => ({
  shard: r.shard,
  shardCount: r.shard_count,
  processedEpoch: Number(r.processed_epoch),
  earlyEpoch: Math.max(Number(r.early_epoch), Number(r.processed_epoch)),
});

export async function shardProgress(sql: Queryable): Promise<ShardProgress[]> {
  const rows = await sql<
    ProgressRow[]
  >`SELECT shard, shard_count, processed_epoch, early_epoch FROM aggregator_shards ORDER BY shard`;
  return rows.map(progressOf);
}

/**
 * Locks one shard's progress row for an epoch's transaction; null when another worker holds it (the caller
 * moves on) or the shard no longer exists (the shards were resized).
 */
export async function lockShard(tx: Queryable, shard: number): Promise<ShardProgress | null> {
  const [row] = await tx<ProgressRow[]>`
    SELECT shard, shard_count, processed_epoch, early_epoch FROM aggregator_shards WHERE shard = ${shard} FOR UPDATE SKIP LOCKED`;
  return row ? progressOf(row) : null;
}

/** Marks the epoch fully done (its final pass; the early one is then done too). */
export async function advanceShard(tx: Queryable, shard: number, epoch: number): Promise<void> {
  await tx`UPDATE aggregator_shards SET processed_epoch = ${epoch}, early_epoch = greatest(early_epoch, ${epoch}), updated_at = now()
    WHERE shard = ${shard}`;
}

/** Marks the epoch's early pass done. */
export async function advanceShardEarly(tx: Queryable, shard: number, epoch: number): Promise<void> {
  await tx`UPDATE aggregator_shards SET early_epoch = ${epoch}, updated_at = now() WHERE shard = ${shard}`;
}

/**
 * Replaces the shards by `count` new ones starting at the common epoch, if every shard is free and at the same
 * epoch. "busy": a worker is inside an epoch; "uneven": the shards must level first (see levellingLimit).
 */
export async function resizeShards(sql: Sql, count: number): Promise<"resized" | "busy" | "uneven" | "unchanged"> {
  return sql.begin(async (tx) => {
    const [total] = await tx<{ n: number }[]>`SELECT count(*)::int AS n FROM aggregator_shards`;
    const locked = (
      await tx<ProgressRow[]>`
      SELECT shard, shard_count, processed_epoch, early_epoch FROM aggregator_shards FOR UPDATE SKIP LOCKED`
    ).map(progressOf);
    if (locked.length === count && total!.n === count) return "unchanged";
    if (locked.length !== total!.n) return "busy";
    // Both passes must be level and caught up: the new shards split the spans of later epochs differently.
    const epochs = new Set(locked.flatMap((r) => [r.processedEpoch, r.earlyEpoch]));
    if (epochs.size > 1) return "uneven";
    const epoch = BigInt(locked[0]?.processedEpoch ?? 0);
    await tx`DELETE FROM aggregator_shards`;
    await tx`DELETE FROM aggregator_leases`;
    await tx`
      INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, early_epoch, updated_at)
      SELECT s, ${count}, ${epoch.toString()}::bigint, ${epoch.toString()}::bigint, now() FROM generate_series(0, ${count - 1}) s`;
    return "resized";
  });
}

/**
 * One lease pass for `worker`: heartbeat, then keep its fair share of shards (renewing, releasing extras,
 * claiming free or expired ones). Claims are conditional upserts, so of two workers racing for a shard one wins.
 * Returns the shards this worker holds afterwards.
 */
export async function adjustLeases(sql: Sql, worker: string, leaseMs: number): Promise<number[]> {
  const secs = leaseMs / 1000;
  return sql.begin(async (tx) => {
    await tx`
      INSERT INTO aggregator_workers (id, seen_at) VALUES (${worker}, now())
      ON CONFLICT (id) DO UPDATE SET seen_at = now()`;
    await tx`DELETE FROM aggregator_workers WHERE seen_at < now() - make_interval(secs => ${secs * 10})`;
    const [counts] = await tx<{ live: number; shards: number }[]>`
      SELECT (SELECT count(*)::int FROM aggregator_workers WHERE seen_at > now() - make_interval(secs => ${secs})) AS live,
             (SELECT count(*)::int FROM aggregator_shards) AS shards`;
    const leases = await tx<{ shard: number; owner: string }[]>`
      SELECT shard, owner FROM aggregator_leases WHERE expires_at > now()`;
    const plan = planLeases({
      shardCount: counts!.shards,
      liveWorkers: counts!.live,
      mine: leases.filter((l) => l.owner === worker).map((l) => l.shard),
      heldByOthers: leases.filter((l) => l.owner !== worker).map((l) => l.shard),
    });
    if (plan.release.length) {
      await tx`DELETE FROM aggregator_leases WHERE owner = ${worker} AND shard = ANY(${plan.release}::smallint[])`;
    }
    const held = plan.renew.length
      ? await tx<{ shard: number }[]>`
          UPDATE aggregator_leases SET expires_at = now() + make_interval(secs => ${secs})
          WHERE owner = ${worker} AND shard = ANY(${plan.renew}::smallint[]) RETURNING shard`
      : [];
    const mine = held.map((h) => h.shard);
    for (const shard of plan.candidates) {
      if (mine.length - held.length >= plan.want) break;
      const [won] = await tx<{ shard: number }[]>`
        INSERT INTO aggregator_leases AS l (shard, owner, expires_at)
        VALUES (${shard}, ${worker}, now() + make_interval(secs => ${secs}))
        ON CONFLICT (shard) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now()
        RETURNING shard`;
      if (won) mine.push(won.shard);
    }
    return mine.sort((a, b) => a - b);
  });
}

/** A stopping worker hands its shards over at once instead of letting the leases run out. */
export async function releaseLeases(sql: Sql, worker: string): Promise<void> {
  await sql`DELETE FROM aggregator_leases WHERE owner = ${worker}`;
  await sql`DELETE FROM aggregator_workers WHERE id = ${worker}`;
}
