// Writes a benchmark's rows as JSON and as a markdown table under bench-results/, and prints the table.
import { mkdirSync, writeFileSync } from "node:fs";

export type Row = Record<string, string | number | null>;

export function report(name: string, title: string, rows: Row[]): void {
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(`bench-results/${name}.json`, JSON.stringify({ title, at: new Date().toISOString(), rows }, null, 2));
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === "number" ? String(Math.round(v * 100) / 100) : String(v ?? ""));
  const md = [
    `# ${title}`,
    "",
    `| ${cols.join(" | ")} |`,
    `|${cols.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(" | ")} |`),
  ].join("\n");
  writeFileSync(`bench-results/${name}.md`, `${md}\n`);
  console.log(`\n${md}\n`);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The middle value (of an odd count; the upper middle of an even one), without reordering `xs`. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
