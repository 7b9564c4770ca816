// npm run bench:accuracy: relative error of the roll-up histograms' p50/p95/p99 against the exact percentiles of
// the same latencies, for several latency shapes, both for one histogram and for 60 per-minute histograms merged
// (what an hour or a window of minutes reads).
import {
  addToHistogram,
  bucketCounts,
  mergeBucketCounts,
  quantilesMs,
  type BucketCounts,
  type Histogram,
} from "../lib/model/histogram";
import { percentile, report, type Row } from "./report";

const SAMPLES = Number(process.env.BENCH_ACCURACY_SAMPLES ?? 200_000);
const QS = [0.5, 0.95, 0.99] as const;

// Deterministic, so two runs print the same figures.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
}
const normal = (rnd: () => number) => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());

const SHAPES: Record<string, (rnd: () => number) => number> = {
  "lognormal (median 20 ms)": (rnd) => 20 * Math.exp(0.8 * normal(rnd)),
  "bimodal (cache hit 2 ms / miss 150 ms)": (rnd) =>
    rnd() < 0.85 ? 2 * Math.exp(0.2 * normal(rnd)) : 150 * Math.exp(0.3 * normal(rnd)),
  "exponential (mean 50 ms)": (rnd) => -50 * Math.log(rnd()),
  "uniform 0.05 ms - 10 s": (rnd) => 0.05 + rnd() * 10_000,
  "heavy tail (pareto, 1 ms scale)": (rnd) => 1 / rnd() ** (1 / 1.2),
};

function main() {
  const rows: Row[] = [];
  let worst = 0;
  for (const [shape, sample] of Object.entries(SHAPES)) {
    const rnd = lcg(20261124);
    const ms = Array.from({ length: SAMPLES }, () => sample(rnd));
    const whole: Histogram = {};
    const minutes: Histogram[] = Array.from({ length: 60 }, () => ({}));
    ms.forEach((v, i) => {
      addToHistogram(whole, v * 1e6);
      addToHistogram(minutes[i % 60]!, v * 1e6);
    });
    const merged = mergeBucketCounts(minutes.map(bucketCounts)); // as the map merges cached blocks
    const sorted = [...ms].sort((a, b) => a - b);
    const exact = QS.map((q) => percentile(sorted, q * 100));
    const err = (h: Histogram | BucketCounts) =>
      quantilesMs(h, [...QS]).map((got, i) => Math.abs(got! - exact[i]!) / exact[i]!);
    const [one, many] = [err(whole), err(merged)];
    worst = Math.max(worst, ...one, ...many);
    rows.push({
      shape,
      samples: SAMPLES,
      p50ErrorPct: one[0]! * 100,
      p95ErrorPct: one[1]! * 100,
      p99ErrorPct: one[2]! * 100,
      mergedOf60MaxErrorPct: Math.max(...many) * 100,
    });
  }
  rows.push({ shape: "worst of all", mergedOf60MaxErrorPct: worst * 100 });
  report("accuracy", `Percentile accuracy of the roll-up histograms (relative error, %; target <= 2)`, rows);
}

main();
