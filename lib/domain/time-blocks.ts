const MINUTE = 60_000;
const HOUR = 3_600_000;

/** `count` units of `unit` ms from `start`, aligned to its own length (counted from the epoch). */
export interface TimeBlock {
  start: number;
  count: number;
  unit: number;
  /** A single unit from `hotFrom` on: it still changes with every epoch. */
  hot: boolean;
}

/**
 * Splits whole units [from, to) into blocks a cache can reuse: aligned runs of the given sizes (largest first,
 * each a multiple of the next, ending in 1), so a window sliding by a unit keeps almost all of its blocks, except
 * that units from `hotFrom` on are single blocks: they still change every few seconds, and reloading a bigger
 * block for them would waste the cache.
 */
export function timeBlocks(from: number, to: number, hotFrom: number, unit: number, sizes: number[]): TimeBlock[] {
  if (from >= to) return [];
  if (from % unit !== 0 || to % unit !== 0) throw new Error(`blocks need whole units of ${unit} ms`);
  const blocks: TimeBlock[] = [];
  const coldEnd = Math.max(from, Math.min(to, Math.floor(hotFrom / unit) * unit)) / unit;
  let u = from / unit;
  while (u < coldEnd) {
    const size = sizes.find((s) => u % s === 0 && u + s <= coldEnd) ?? 1;
    blocks.push({ start: u * unit, count: size, unit, hot: false });
    u += size;
  }
  for (let t = Math.max(from, coldEnd * unit); t < to; t += unit) blocks.push({ start: t, count: 1, unit, hot: true });
  return blocks;
}

const POWERS_OF_TWO = [128, 64, 32, 16, 8, 4, 2, 1];

/** Whole hours in power-of-two blocks (a week is at most ~14 blocks). */
export const hourBlocks = (from: number, to: number, hotFrom: number): TimeBlock[] =>
  timeBlocks(from, to, hotFrom, HOUR, POWERS_OF_TWO);

/** Whole minutes in blocks of 15, 5 and 1: 15 divides the hour, so no block reaches into another hour. */
export const minuteBlocks = (from: number, to: number, hotFrom: number): TimeBlock[] =>
  timeBlocks(from, to, hotFrom, MINUTE, [15, 5, 1]);

/** The start of every unit a block covers. */
export const unitsOf = (b: TimeBlock): number[] => Array.from({ length: b.count }, (_, i) => b.start + i * b.unit);
