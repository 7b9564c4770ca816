import { describe, expect, it } from "vitest";
import { hourBlocks, minuteBlocks, unitsOf, type TimeBlock } from "../../lib/domain/time-blocks";

const H = 3_600_000;
const M = 60_000;
const covered = (blocks: TimeBlock[]) => blocks.flatMap(unitsOf);

describe("time blocks for the roll-up cache", () => {
  it("cover every hour exactly once with aligned power-of-two blocks", () => {
    for (const [fromH, toH] of [
      [0, 24],
      [5, 29],
      [493_001, 493_169],
      [7, 8],
      [1000, 1000 + 168],
    ]) {
      const blocks = hourBlocks(fromH! * H, toH! * H, toH! * H);
      expect(covered(blocks)).toEqual(Array.from({ length: toH! - fromH! }, (_, i) => (fromH! + i) * H));
      for (const b of blocks) {
        expect(Number.isInteger(Math.log2(b.count))).toBe(true);
        expect((b.start / H) % b.count).toBe(0);
      }
    }
  });

  it("keep a week to a handful of blocks and reuse most of them when the window slides by an hour", () => {
    const a = hourBlocks(493_001 * H, 493_169 * H, 493_167 * H);
    const b = hourBlocks(493_002 * H, 493_170 * H, 493_168 * H);
    expect(a.length).toBeLessThanOrEqual(18);
    const keys = new Set(a.map((x) => `${x.start}:${x.count}`));
    const reused = b.filter((x) => keys.has(`${x.start}:${x.count}`)).length;
    expect(reused).toBeGreaterThanOrEqual(b.length - 8);
  });

  it("give hot units blocks of their own", () => {
    const blocks = hourBlocks(0, 24 * H, 22 * H);
    expect(blocks.slice(-2)).toEqual([
      { start: 22 * H, count: 1, unit: H, hot: true },
      { start: 23 * H, count: 1, unit: H, hot: true },
    ]);
    expect(blocks.slice(0, -2).every((b) => !b.hot)).toBe(true);
    expect(covered(blocks)).toHaveLength(24);
    expect(hourBlocks(0, 4 * H, 10 * H).map((b) => b.count)).toEqual([4]);
    expect(hourBlocks(0, 4 * H, -5 * H).map((b) => b.count)).toEqual([1, 1, 1, 1]);
  });

  it("split minutes into blocks that never cross an hour", () => {
    const from = 1000 * H + 7 * M;
    const to = 1001 * H + 50 * M;
    const blocks = minuteBlocks(from, to, to - 2 * M);
    expect(covered(blocks)).toEqual(Array.from({ length: (to - from) / M }, (_, i) => from + i * M));
    for (const b of blocks) {
      expect([1, 5, 15]).toContain(b.count);
      expect(Math.floor(b.start / H)).toBe(Math.floor((b.start + b.count * M - 1) / H));
    }
    expect(blocks.slice(-2).map((b) => b.count)).toEqual([1, 1]);
    expect(blocks.length).toBeLessThanOrEqual(16);
  });

  it("refuse ranges that are not whole units", () => {
    expect(() => hourBlocks(1, H, H)).toThrow(/whole units/);
  });
});
