// Mergeable log-scale latency histogram (DDSketch-style). Bucket i holds durations in (γ^(i-1), γ^i] microseconds;
// reporting the bucket's midpoint 2γ^i/(γ+1) keeps every quantile within (γ-1)/(γ+1) ≈ 0.99% of the exact value,
// over any window, because merging is adding counts.
export const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

/** Sparse bucket -> weighted count. Bucket 0 holds everything up to 1 µs. */
export type Histogram = Record<string, number>;

export function bucketOf(durationNs: number): number {
  const us = durationNs / 1000;
  if (us <= 1) return 0;
  return Math.ceil(Math.log(us) / LOG_GAMMA);
}

/** Representative duration of a bucket, in milliseconds. */
export function bucketValueMs(bucket: number): number {
  if (bucket <= 0) return 0.001;
  return (2 * GAMMA ** bucket) / (GAMMA + 1) / 1000;
}

export function addToHistogram(h: Histogram, durationNs: number, weight = 1): void {
  const b = String(bucketOf(durationNs));
  h[b] = (h[b] ?? 0) + weight;
}

export function mergeHistograms(into: Histogram, from: Histogram): Histogram {
  for (const [b, c] of Object.entries(from)) into[b] = (into[b] ?? 0) + c;
  return into;
}

/** Quantiles (0..1) in milliseconds, nearest-rank on the weighted counts; null for an empty histogram. */
export function quantilesMs(h: Histogram, qs: number[]): (number | null)[] {
  const buckets = Object.entries(h)
    .map(([b, c]) => [Number(b), c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return qs.map(() => null);
  return qs.map((q) => {
    const rank = Math.max(q * total, Number.MIN_VALUE);
    let cum = 0;
    for (const [b, c] of buckets) {
      cum += c;
      if (cum >= rank - 1e-9) return bucketValueMs(b);
    }
    return bucketValueMs(buckets[buckets.length - 1]![0]);
  });
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function percentiles(h: Histogram): Percentiles {
  const [p50, p95, p99] = quantilesMs(h, [0.5, 0.95, 0.99]);
  return { p50: p50!, p95: p95!, p99: p99! };
}
