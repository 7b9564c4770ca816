import { describe, expect, it } from "vitest";
import { criticalPath, selfTimes, type TimedSpan } from "../../lib/domain/critical-path";

const s = (spanId: string, parentSpanId: string | null, start: number, duration: number): TimedSpan => ({
  spanId,
  parentSpanId,
  startNs: BigInt(start),
  durationNs: BigInt(duration),
});

describe("critical path", () => {
  it("follows what each parent waited for: the slow payment call, not the quick ones", () => {
    // order 0..1200: inventory 10..60, payment 70..1100 (gateway 80..1000 inside), publish 1110..1115
    const spans = [
      s("order", null, 0, 1200),
      s("inv", "order", 10, 50),
      s("pay", "order", 70, 1030),
      s("gw", "pay", 80, 920),
      s("pub", "order", 1110, 5),
    ];
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

/** The plain quadratic walk (the earlier implementation), kept as the oracle for the sorted one. */
function referencePath(spans: TimedSpan[]): Set<number> {
  const end = (x: TimedSpan) => x.startNs + x.durationNs;
  const byId = new Map<string, number>();
  spans.forEach((x, i) => byId.has(x.spanId) || byId.set(x.spanId, i));
  const children = new Map<number, number[]>();
  spans.forEach((x, i) => {
    const p = x.parentSpanId ? byId.get(x.parentSpanId) : undefined;
    if (p !== undefined && p !== i) children.set(p, [...(children.get(p) ?? []), i]);
  });
  const isChild = new Set([...children.values()].flat());
  const on = new Set<number>();
  const lo = (a: bigint, b: bigint) => (a < b ? a : b);
  const walk = (i: number, c0: bigint) => {
    on.add(i);
    let cursor = lo(c0, end(spans[i]!));
    const kids = (children.get(i) ?? []).filter((k) => !on.has(k));
    for (;;) {
      let best: number | null = null;
      for (const k of kids) {
        if (spans[k]!.startNs >= cursor || on.has(k)) continue;
        if (best === null || lo(end(spans[k]!), cursor) > lo(end(spans[best]!), cursor)) best = k;
      }
      if (best === null) return;
      walk(best, cursor);
      cursor = spans[i]!.startNs > spans[best]!.startNs ? spans[i]!.startNs : spans[best]!.startNs;
    }
  };
  spans.forEach((x, i) => isChild.has(i) || walk(i, end(x)));
  return on;
}

describe("critical path on large and random traces", () => {
  it("matches the plain walk on 300 random trees", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let t = 0; t < 300; t++) {
      const spans: TimedSpan[] = [s("0", null, 0, 1000)];
      const count = 2 + rand(40);
      for (let i = 1; i < count; i++) {
        const parent = spans[rand(spans.length)]!;
        const start = Number(parent.startNs) + rand(Number(parent.durationNs));
        spans.push(
          s(String(i), parent.spanId, start, 1 + rand(Number(parent.startNs + parent.durationNs) - start + 50)),
        );
      }
      spans.sort((a, b) => Number(a.startNs - b.startNs));
      expect([...criticalPath(spans)].sort((a, b) => a - b)).toEqual([...referencePath(spans)].sort((a, b) => a - b));
    }
  });

  it("handles a parent with 10,000 sequential children: every child is on the path", () => {
    const spans = [s("root", null, 0, 10_000_000)];
    for (let i = 0; i < 10_000; i++) spans.push(s(`c${i}`, "root", i * 1000, 900));
    expect(criticalPath(spans).size).toBe(10_001);
  });
});
