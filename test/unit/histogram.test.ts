import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  addToHistogram,
  bucketCounts,
  bucketOf,
  mergeBucketCounts,
  mergedPercentiles,
  percentiles,
  quantilesMs,
  type Histogram,
} from "../../lib/model/histogram";
import { adjustedCount } from "../../lib/domain/sampling";

function exactQuantile(sortedMs: number[], q: number): number {
  return sortedMs[Math.max(0, Math.ceil(q * sortedMs.length) - 1)]!;
}

// Deterministic pseudo-random numbers so a failure is reproducible.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe("log-scale histogram", () => {
  it.each([
    [
      "log-normal around 20 ms",
      (r: () => number) =>
        Math.exp(Math.log(20) + 1.2 * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r())),
    ],
    ["bimodal 2 ms / 900 ms", (r: () => number) => (r() < 0.9 ? 2 + r() : 900 + 300 * r())],
    ["uniform 0.01 ms .. 60 s", (r: () => number) => 0.01 + r() * 60_000],
  ])("keeps p50/p95/p99 within 2%% of exact for %s, also after merging per-minute pieces", (_name, draw) => {
    const rand = lcg(42);
    const values = Array.from({ length: 50_000 }, () => draw(rand));
    const minutes: Histogram[] = Array.from({ length: 60 }, () => ({}));
    values.forEach((ms, i) => addToHistogram(minutes[i % 60]!, ms * 1e6));
    const merged = mergeBucketCounts(minutes.map(bucketCounts));
    const sorted = [...values].sort((a, b) => a - b);
    const got = quantilesMs(merged, [0.5, 0.95, 0.99]);
    [0.5, 0.95, 0.99].forEach((q, i) => {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(got[i]! - exact) / exact).toBeLessThan(0.02);
    });
  });

  it("is empty-safe and weights counts", () => {
    expect(percentiles({})).toEqual({ p50: null, p95: null, p99: null });
    const h: Histogram = {};
    addToHistogram(h, 1_000_000, 99);
    addToHistogram(h, 100_000_000, 1);
    const { p50, p99 } = percentiles(h);
    expect(p50!).toBeCloseTo(1, 1);
    expect(p99!).toBeCloseTo(1, 1);
    expect(quantilesMs(h, [1])[0]!).toBeCloseTo(100, 0);
  });

  it("puts sub-microsecond durations in bucket 0", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(999)).toBe(0);
    expect(bucketOf(2_000)).toBeGreaterThan(0);
  });
});

describe("adjusted count", () => {
  it("reads the OTel threshold, then attributes, then defaults to 1", () => {
    expect(adjustedCount("ot=th:8", {}, {})).toBeCloseTo(2);
    expect(adjustedCount("vendor=x,ot=rv:1234;th:c", {}, {})).toBeCloseTo(4);
    expect(adjustedCount("ot=th:0", {}, {})).toBe(1);
    expect(adjustedCount(null, { "sampling.adjusted_count": 5 }, {})).toBe(5);
    expect(adjustedCount(null, {}, { SampleRate: "20" })).toBe(20);
    expect(adjustedCount("ot=th:zz", {}, {})).toBe(1);
  });
});

describe("bucket counts (the compact form the roll-up cache merges)", () => {
  it("merge to the same histogram and percentiles as merging objects, without touching the inputs", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const hists: Histogram[] = Array.from({ length: 9 }, () => {
      const h: Histogram = {};
      for (let i = 0; i < 40; i++) addToHistogram(h, Math.floor(rnd() * 5e9), 1 + Math.floor(rnd() * 3));
      return h;
    });
    hists[3]!["5000"] = 2; // beyond the scratch array
    // Reference: the counts summed bucket by bucket, as plain objects.
    const objects: Histogram = {};
    for (const h of hists) for (const [b, c] of Object.entries(h)) objects[b] = (objects[b] ?? 0) + c;
    const compact = hists.map(bucketCounts);
    const before = compact.map((c) => [...c.counts]);
    const merged = mergeBucketCounts(compact);
    expect(merged).toEqual(bucketCounts(objects));
    expect(percentiles(merged)).toEqual(percentiles(objects));
    expect(compact.map((c) => [...c.counts])).toEqual(before);
    expect(mergeBucketCounts([]).buckets).toHaveLength(0);
    expect(percentiles(mergeBucketCounts([]))).toEqual({ p50: null, p95: null, p99: null });
  });
});

describe("percentiles of a merge without building it", () => {
  // Buckets from real durations (0..1,500), some beyond the scratch array; weights whole or fractional (sampling).
  const histogram = fc.dictionary(
    fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 40 }), fc.constant(5000)).map(String),
    fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 50, noNaN: true })),
    { maxKeys: 30 },
  );
  it("equal percentiles(mergeBucketCounts(list)) for any list, and leave the inputs and the next merge untouched", () => {
    fc.assert(
      fc.property(fc.array(histogram, { maxLength: 7 }), (hists) => {
        const list = hists.map(bucketCounts);
        const before = list.map((c) => [...c.counts]);
        expect(mergedPercentiles(list)).toEqual(percentiles(mergeBucketCounts(list)));
        expect(list.map((c) => [...c.counts])).toEqual(before);
        // Nothing left behind in the shared scratch space: the same merge again gives the same answer.
        expect(mergedPercentiles(list)).toEqual(percentiles(mergeBucketCounts(list)));
      }),
      { numRuns: 500 },
    );
  });
});
