/**
 * How one aggregator worker adjusts its shard leases on a pass. Pure: the repository feeds it what the database
 * says and carries out the plan with conditional writes, so two workers planning at once cannot both win a shard.
 */
export interface LeaseView {
  shardCount: number;
  /** Workers whose heartbeat is fresh, this one included. */
  liveWorkers: number;
  /** Shards this worker holds an unexpired lease on. */
  mine: number[];
  /** Shards another worker holds an unexpired lease on. */
  heldByOthers: number[];
}

export interface LeasePlan {
  /** Leases to keep and extend. */
  renew: number[];
  /** Leases to give back so a newcomer finds free shards. */
  release: number[];
  /** Free shards to try to claim, in order of preference; claim at most `want` of them. */
  candidates: number[];
  want: number;
}

/** Each live worker's fair share: every shard is covered when all workers take it. */
export const fairShare = (shardCount: number, liveWorkers: number) => Math.ceil(shardCount / Math.max(1, liveWorkers));

export function planLeases(v: LeaseView): LeasePlan {
  const target = fairShare(v.shardCount, v.liveWorkers);
  const mine = [...new Set(v.mine.filter((s) => s >= 0 && s < v.shardCount))].sort((a, b) => a - b);
  const renew = mine.slice(0, target);
  const release = mine.slice(target);
  const taken = new Set([...mine, ...v.heldByOthers]);
  const candidates: number[] = [];
  for (let s = 0; s < v.shardCount; s++) if (!taken.has(s)) candidates.push(s);
  return { renew, release, candidates, want: Math.max(0, target - renew.length) };
}

/**
 * When workers are told to use a different number of shards, the old shards must first reach the same epoch with
 * both passes: until then no shard's early or final pass goes past the furthest early one. Null when no levelling
 * is needed.
 */
export function levellingLimit(
  current: { processedEpoch: number; earlyEpoch?: number }[],
  desiredCount: number,
): number | null {
  if (current.length === desiredCount) return null;
  return Math.max(...current.map((s) => Math.max(s.processedEpoch, s.earlyEpoch ?? 0)));
}
