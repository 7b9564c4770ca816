// A tiny Prometheus registry: counters and gauges with labels, rendered in the text exposition format.
type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => Promise<{ labels?: Labels; value: number }[]>;
}

export class Counter {
  constructor(private readonly family: Family) {}

  inc(labels: Labels = {}, n = 1): void {
    if (n === 0) return;
    const key = labelText(labels);
    const cur = this.family.values.get(key);
    if (cur) cur.value += n;
    else this.family.values.set(key, { labels, value: n });
  }

  get(labels: Labels = {}): number {
    return this.family.values.get(labelText(labels))?.value ?? 0;
  }
}

export class Registry {
  private families: Family[] = [];

  counter(name: string, help: string): Counter {
    const family: Family = { name, help, type: "counter", values: new Map() };
    this.families.push(family);
    return new Counter(family);
  }

  /**
   * A value read when scraped (a gauge, or a counter kept elsewhere, e.g. in the database); a failing read leaves
   * it out rather than failing the scrape.
   */
  gauge(
    name: string,
    help: string,
    collect: () => Promise<{ labels?: Labels; value: number }[]> | { labels?: Labels; value: number }[],
    type: "gauge" | "counter" = "gauge",
  ): void {
    this.families.push({ name, help, type, values: new Map(), collect: async () => collect() });
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const f of this.families) {
      let samples = [...f.values.values()];
      if (f.collect) {
        try {
          samples = (await f.collect()).map((s) => ({ labels: s.labels ?? {}, value: s.value }));
        } catch {
          continue;
        }
      }
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const s of samples)
        out.push(`${f.name}${labelText(s.labels)} ${Number.isFinite(s.value) ? s.value : "NaN"}`);
    }
    return `${out.join("\n")}\n`;
  }
}
