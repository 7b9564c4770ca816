import { describe, expect, it } from "vitest";
import { fairShare, levellingLimit, planLeases } from "../../lib/domain/shard-leases";

describe("shard lease planning", () => {
  it("gives every live worker a share so that all shards are covered", () => {
    expect(fairShare(4, 1)).toBe(4);
    expect(fairShare(4, 3)).toBe(2);
    expect(fairShare(4, 8)).toBe(1);
    expect(fairShare(4, 0)).toBe(4);
    for (let shards = 1; shards <= 16; shards++) {
      for (let workers = 1; workers <= 20; workers++)
        expect(fairShare(shards, workers) * workers).toBeGreaterThanOrEqual(shards);
    }
  });

  it("a lone worker claims every free shard", () => {
    expect(planLeases({ shardCount: 4, liveWorkers: 1, mine: [], heldByOthers: [] })).toEqual({
      renew: [],
      release: [],
      candidates: [0, 1, 2, 3],
      want: 4,
    });
  });

  it("a worker over its share releases the extras when a newcomer appears", () => {
    const plan = planLeases({ shardCount: 4, liveWorkers: 2, mine: [0, 1, 2, 3], heldByOthers: [] });
    expect(plan).toEqual({ renew: [0, 1], release: [2, 3], candidates: [], want: 0 });
  });

  it("a newcomer takes only shards nobody holds, up to its share", () => {
    const plan = planLeases({ shardCount: 4, liveWorkers: 2, mine: [], heldByOthers: [0, 1] });
    expect(plan).toEqual({ renew: [], release: [], candidates: [2, 3], want: 2 });
  });

  it("forgets leases on shards that no longer exist after a resize", () => {
    const plan = planLeases({ shardCount: 2, liveWorkers: 1, mine: [1, 3, 5], heldByOthers: [] });
    expect(plan.renew).toEqual([1]);
    expect(plan.candidates).toEqual([0]);
    expect(plan.want).toBe(1);
  });

  it("holds shards back from running ahead only while the shard count is changing", () => {
    expect(levellingLimit([{ processedEpoch: 7 }], 1)).toBeNull();
    expect(levellingLimit([{ processedEpoch: 7 }, { processedEpoch: 9 }], 4)).toBe(9);
  });
});
