// Mergeable log-scale latency histogram (DDSketch-style). Bucket i holds durations in (γ^(i-1), γ^i] microseconds;
// reporting the bucket's midpoint 2γ^i/(γ+1) keeps every quantile within (γ-1)/(γ+1) ≈ 0.99% of the exact value,
// over any window, because merging is adding counts.
export const GAMMA = 1.02;
/**
 * The bucket scheme's version, stored beside every histogram (the roll-up tables' hist_scheme column). Buckets of
 * different schemes mean different durations and never add up: a change of GAMMA or of the bucket rule takes a new
 * version, and reads keep to the one they understand.
 */
export const HISTOGRAM_SCHEME = 1;
const LOG_GAMMA = Math.log(GAMMA);

/** Sparse bucket -> weighted count. Bucket 0 holds everything up to 1 µs. */
export type Histogram = Record<string, number>;

export function bucketOf(durationNs: number): number {
  const us = durationNs / 1000;
  if (us <= 1) return 0;
  return Math.ceil(Math.log(us) / LOG_GAMMA);
}

const bucketValue = (bucket: number) => (bucket <= 0 ? 0.001 : (2 * GAMMA ** bucket) / (GAMMA + 1) / 1000);
// A graph reports ~20,000 of these; a power each was a tenth of its percentile work.
const BUCKET_VALUES = Float64Array.from({ length: 4096 }, (_, b) => bucketValue(b));

/** Representative duration of a bucket, in milliseconds. */
export function bucketValueMs(bucket: number): number {
  return bucket >= 0 && bucket < BUCKET_VALUES.length ? BUCKET_VALUES[bucket]! : bucketValue(bucket);
}

export function addToHistogram(h: Histogram, durationNs: number, weight = 1): void {
  const b = String(bucketOf(durationNs));
  h[b] = (h[b] ?? 0) + weight;
}

/** Quantiles (0..1) in milliseconds, nearest-rank on the weighted counts; null for an empty histogram. */
export function quantilesMs(h: Histogram | BucketCounts, qs: number[]): (number | null)[] {
  const { buckets, counts } = isBucketCounts(h) ? h : bucketCounts(h);
  let total = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) total += counts[i]!;
  if (total === 0) return qs.map(() => null);
  return qs.map((q) => {
    const rank = Math.max(q * total, Number.MIN_VALUE);
    let cum = 0;
    let last = 0;
    for (let i = 0; i < buckets.length; i++) {
      if (!(counts[i]! > 0)) continue;
      cum += counts[i]!;
      last = buckets[i]!;
      if (cum >= rank - 1e-9) return bucketValueMs(buckets[i]!);
    }
    return bucketValueMs(last);
  });
}

/**
 * A histogram as bucket numbers in ascending order with their counts. Cheaper to keep and merge in bulk than
 * Histogram objects: V8 stores an object with integer keys as an array as long as its largest key.
 */
export interface BucketCounts {
  buckets: Int32Array;
  counts: Float64Array;
}

const isBucketCounts = (h: Histogram | BucketCounts): h is BucketCounts => h.buckets instanceof Int32Array;

export function bucketCounts(h: Histogram): BucketCounts {
  const buckets = Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b);
  return { buckets: Int32Array.from(buckets), counts: Float64Array.from(buckets, (b) => h[String(b)]!) };
}

// Bucket numbers stay below ~1,500 (31 days at 2% per bucket): one scratch array sums them without allocating.
const SCRATCH_SIZE = 4096;
const scratch = new Float64Array(SCRATCH_SIZE);

/** The sum of several histograms; the inputs are not modified (they may be shared, e.g. cached). */
export function mergeBucketCounts(list: BucketCounts[]): BucketCounts {
  if (list.length === 1) return list[0]!;
  let lo = SCRATCH_SIZE;
  let hi = -1;
  const outside = new Map<number, number>();
  for (const { buckets, counts } of list) {
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (b < 0 || b >= SCRATCH_SIZE) outside.set(b, (outside.get(b) ?? 0) + counts[i]!);
      else {
        scratch[b]! += counts[i]!;
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
    }
  }
  const buckets: number[] = [];
  const counts: number[] = [];
  for (let b = lo; b <= hi; b++) {
    if (scratch[b] !== 0) {
      buckets.push(b);
      counts.push(scratch[b]!);
    }
    scratch[b] = 0;
  }
  const below = [...outside].filter(([b]) => b < 0).sort((x, y) => x[0] - y[0]);
  const above = [...outside].filter(([b]) => b >= SCRATCH_SIZE).sort((x, y) => x[0] - y[0]);
  return {
    buckets: Int32Array.from([...below.map(([b]) => b), ...buckets, ...above.map(([b]) => b)]),
    counts: Float64Array.from([...below.map(([, c]) => c), ...counts, ...above.map(([, c]) => c)]),
  };
}

/**
 * percentiles(mergeBucketCounts(list)) without building the sum: a read that only reports the figures of a merge
 * (a graph of 3,000 edges, each from several cached blocks) allocates nothing per histogram.
 */
export function mergedPercentiles(list: BucketCounts[]): Percentiles {
  if (list.length === 1) return percentiles(list[0]!);
  let lo = SCRATCH_SIZE;
  let hi = -1;
  for (const { buckets, counts } of list) {
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (b < 0 || b >= SCRATCH_SIZE) {
        for (let c = lo; c <= hi; c++) scratch[c] = 0;
        return percentiles(mergeBucketCounts(list)); // outside the scratch array: never from real durations
      }
      scratch[b]! += counts[i]!;
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
  }
  // Summed in bucket order, like quantilesMs over the merged counts, so the ranks round the same way.
  let total = 0;
  for (let b = lo; b <= hi; b++) if (scratch[b]! > 0) total += scratch[b]!;
  const found: (number | null)[] = [null, null, null];
  if (total > 0) {
    const ranks = [0.5, 0.95, 0.99].map((q) => Math.max(q * total, Number.MIN_VALUE) - 1e-9);
    let cum = 0;
    let q = 0;
    let last = 0;
    for (let b = lo; b <= hi; b++) {
      if (!(scratch[b]! > 0)) continue;
      cum += scratch[b]!;
      last = b;
      while (q < 3 && cum >= ranks[q]!) found[q++] = bucketValueMs(b);
    }
    while (q < 3) found[q++] = bucketValueMs(last);
  }
  for (let b = lo; b <= hi; b++) scratch[b] = 0;
  return { p50: found[0]!, p95: found[1]!, p99: found[2]! };
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function percentiles(h: Histogram | BucketCounts): Percentiles {
  const [p50, p95, p99] = quantilesMs(h, [0.5, 0.95, 0.99]);
  return { p50: p50!, p95: p95!, p99: p99! };
}
