import { describe, expect, it } from "vitest";
import { hourBlocks, hoursOf } from "../../lib/domain/hour-blocks";

const H = 3_600_000;
const covered = (blocks: { start: number; hours: number }[]) => blocks.flatMap(hoursOf);

describe("hour blocks for the roll-up cache", () => {
  it("covers every hour exactly once with aligned power-of-two blocks", () => {
    for (const [fromH, toH] of [[0, 24], [5, 29], [493_001, 493_169], [7, 8], [1000, 1000 + 168]]) {
      const blocks = hourBlocks(fromH! * H, toH! * H, toH! * H);
      expect(covered(blocks)).toEqual(Array.from({ length: toH! - fromH! }, (_, i) => (fromH! + i) * H));
      for (const b of blocks) {
        expect(Number.isInteger(Math.log2(b.hours))).toBe(true);
        expect((b.start / H) % b.hours).toBe(0);
      }
    }
  });

  it("keeps a week to a handful of blocks and reuses most of them when the window slides by an hour", () => {
    const a = hourBlocks(493_001 * H, 493_169 * H, 493_167 * H);
    const b = hourBlocks(493_002 * H, 493_170 * H, 493_168 * H);
    expect(a.length).toBeLessThanOrEqual(18);
    const keys = new Set(a.map((x) => `${x.start}:${x.hours}`));
    const reused = b.filter((x) => keys.has(`${x.start}:${x.hours}`)).length;
    expect(reused).toBeGreaterThanOrEqual(b.length - 8);
  });

  it("gives hot hours blocks of their own", () => {
    const blocks = hourBlocks(0, 24 * H, 22 * H);
    expect(blocks.slice(-2)).toEqual([{ start: 22 * H, hours: 1 }, { start: 23 * H, hours: 1 }]);
    expect(covered(blocks)).toHaveLength(24);
    expect(hourBlocks(0, 4 * H, 10 * H).map((b) => b.hours)).toEqual([4]);
    expect(hourBlocks(0, 4 * H, -5 * H).map((b) => b.hours)).toEqual([1, 1, 1, 1]);
  });

  it("refuses ranges that are not whole hours", () => {
    expect(() => hourBlocks(1, H, H)).toThrow(/whole hours/);
  });
});
