const HOUR = 3_600_000;

/** A run of whole hours [start, start + hours * 1h), aligned to its own length (counted from the epoch). */
export interface HourBlock {
  start: number;
  hours: number;
}

/**
 * Splits whole hours [from, to) into blocks a cache can reuse: aligned power-of-two runs (a week is at most ~14
 * blocks, and a window sliding by an hour keeps almost all of them), except that hours from `hotFrom` on are
 * single blocks, because they still change every few seconds and reloading a bigger block for them would waste
 * the cache.
 */
export function hourBlocks(from: number, to: number, hotFrom: number, maxHours = 128): HourBlock[] {
  if (from % HOUR !== 0 || to % HOUR !== 0) throw new Error("hour blocks need whole hours");
  const blocks: HourBlock[] = [];
  const coldEnd = Math.max(from, Math.min(to, Math.floor(hotFrom / HOUR) * HOUR));
  let h = from / HOUR;
  const coldEndH = coldEnd / HOUR;
  while (h < coldEndH) {
    let size = 1;
    while (size * 2 <= maxHours && h % (size * 2) === 0 && h + size * 2 <= coldEndH) size *= 2;
    blocks.push({ start: h * HOUR, hours: size });
    h += size;
  }
  for (let t = coldEnd; t < to; t += HOUR) blocks.push({ start: t, hours: 1 });
  return blocks;
}

/** The hours a block covers, as epoch milliseconds. */
export const hoursOf = (b: HourBlock): number[] => Array.from({ length: b.hours }, (_, i) => b.start + i * HOUR);
