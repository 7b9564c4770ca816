// The synthetic service topology the dashboard benchmarks (and the big-map browser test) use.
import type { SeedTrace } from "./json-traces";

const CALLS_PER_SERVICE = 6;

/** Services in 8 tiers; each calls up to CALLS_PER_SERVICE services of later tiers (deterministic). */
export function seed(size: number, startMs: number): SeedTrace[] {
  const name = (i: number) => `n${size}-svc-${String(i).padStart(3, "0")}`;
  const tierSize = Math.max(2, Math.ceil(size / 8));
  return Array.from({ length: size }, (_, i) => {
    const next = (Math.floor(i / tierSize) + 1) * tierSize;
    const callees = new Set<number>();
    for (let k = 1; callees.size < Math.min(CALLS_PER_SERVICE, size - next) && next < size && k < 200; k++) {
      callees.add(next + ((i * 7 + k * 13) % (size - next)));
    }
    return {
      service: name(i),
      startMs: startMs + i * 10,
      durationMs: 50,
      calls: [...callees].map((j, k) => ({
        target: name(j),
        durationMs: 5 + ((i + k) % 40),
        error: (i + k) % 17 === 0,
      })),
    };
  });
}
