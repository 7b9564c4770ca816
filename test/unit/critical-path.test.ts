import { describe, expect, it } from "vitest";
import { criticalPath, selfTimes, type TimedSpan } from "../../lib/domain/critical-path";

const s = (spanId: string, parentSpanId: string | null, start: number, duration: number): TimedSpan => ({
  spanId, parentSpanId, startNs: BigInt(start), durationNs: BigInt(duration),
});

describe("critical path", () => {
  it("follows what each parent waited for: the slow payment call, not the quick ones", () => {
    // order 0..1200: inventory 10..60, payment 70..1100 (gateway 80..1000 inside), publish 1110..1115
    const spans = [s("order", null, 0, 1200), s("inv", "order", 10, 50), s("pay", "order", 70, 1030), s("gw", "pay", 80, 920), s("pub", "order", 1110, 5)];
    const path = criticalPath(spans);
    expect([...path].map((i) => spans[i]!.spanId).sort()).toEqual(["gw", "inv", "order", "pay", "pub"].sort());
    const parallel = [s("root", null, 0, 100), s("fast", "root", 0, 30), s("slow", "root", 0, 90)];
    expect([...criticalPath(parallel)].map((i) => parallel[i]!.spanId).sort()).toEqual(["root", "slow"]);
  });

  it("survives cycles, missing parents and repeated span ids", () => {
    const spans = [s("a", "b", 0, 10), s("b", "a", 1, 5), s("x", "gone", 0, 3), s("x", null, 0, 3)];
    expect(criticalPath(spans).size).toBeGreaterThan(0);
  });
});

describe("self time", () => {
  it("subtracts the union of children, clamped to the parent", () => {
    const spans = [s("root", null, 0, 100), s("a", "root", 10, 30), s("b", "root", 20, 30), s("late", "root", 90, 50)];
    expect(selfTimes(spans)).toEqual([100n - 40n - 10n, 30n, 30n, 50n]);
  });
});
