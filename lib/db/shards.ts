import { planLeases } from "../domain/shard-leases";
import type { Queryable, Sql } from "./pool";

export interface ShardProgress {
  shard: number;
  shardCount: number;
  processedEpoch: number;
}

export async function shardProgress(sql: Queryable): Promise<ShardProgress[]> {
  const rows = await sql<{ shard: number; shard_count: number; processed_epoch: bigint }[]>`
    SELECT shard, shard_count, processed_epoch FROM aggregator_shards ORDER BY shard`;
  return rows.map((r) => ({ shard: r.shard, shardCount: r.shard_count, processedEpoch: Number(r.processed_epoch) }));
}

/**
 * Locks one shard's progress row for an epoch's transaction; null when another worker holds it (the caller
 * moves on) or the shard no longer exists (the shards were resized).
 */
export async function lockShard(tx: Queryable, shard: number): Promise<ShardProgress | null> {
  const [row] = await tx<{ shard_count: number; processed_epoch: bigint }[]>`
    SELECT shard_count, processed_epoch FROM aggregator_shards WHERE shard = ${shard} FOR UPDATE SKIP LOCKED`;
  return row ? { shard, shardCount: row.shard_count, processedEpoch: Number(row.processed_epoch) } : null;
}

export async function advanceShard(tx: Queryable, shard: number, epoch: number): Promise<void> {
  await tx`UPDATE aggregator_shards SET processed_epoch = ${epoch}, updated_at = now() WHERE shard = ${shard}`;
}

/**
 * Replaces the shards by `count` new ones starting at the common epoch, if every shard is free and at the same
 * epoch. "busy": a worker is inside an epoch; "uneven": the shards must level first (see levellingLimit).
 */
export async function resizeShards(sql: Sql, count: number): Promise<"resized" | "busy" | "uneven" | "unchanged"> {
  return sql.begin(async (tx) => {
    const [total] = await tx<{ n: number }[]>`SELECT count(*)::int AS n FROM aggregator_shards`;
    const locked = await tx<{ processed_epoch: bigint }[]>`SELECT processed_epoch FROM aggregator_shards FOR UPDATE SKIP LOCKED`;
    if (locked.length === count && total!.n === count) return "unchanged";
    if (locked.length !== total!.n) return "busy";
    const epochs = new Set(locked.map((r) => r.processed_epoch));
    if (epochs.size > 1) return "uneven";
    const epoch = locked[0]?.processed_epoch ?? 0n;
    await tx`DELETE FROM aggregator_shards`;
    await tx`DELETE FROM aggregator_leases`;
    await tx`
      INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at)
      SELECT s, ${count}, ${epoch.toString()}::bigint, now() FROM generate_series(0, ${count - 1}) s`;
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
