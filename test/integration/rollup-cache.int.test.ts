import { describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { useCollectorDatabase } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { aggregateAll } from "../helpers/aggregate";
import { edgeTotals, qualityTotals, serviceTotals } from "../../lib/db/graph-reads";
import { cachedTotals, compactTotals, summedTotals, type MergedTotals } from "../../lib/query/rollup-cache";
import { loadGraph } from "../../lib/query/graph";

const ctx = useCollectorDatabase();
const HOUR = 3_600_000;
const exporter = () => new OTLPTraceExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` });
/** The totals a cached read gives, without its cache figures, with every histogram summed (as the SQL gives it). */
const totalsOf = ({
  blocksLoaded: _,
  direct: _d,
  settledReused: _s,
  ...t
}: MergedTotals & { blocksLoaded: number; direct: boolean; settledReused: boolean }) => summedTotals(t);
const dayWindow = () => {
  const to = Math.ceil((Date.now() + 1) / HOUR) * HOUR;
  return [new Date(to - 24 * HOUR), new Date(to)] as const;
};

describe("cached roll-up blocks", () => {
  it("over a day equal the uncached SQL totals, reload only changed hours, and show new data at once", async () => {
    await sendShopTraces(exporter, 12);
    await aggregateAll(ctx.db.sql);
    const [from, to] = dayWindow();
    const uncached = async () =>
      compactTotals(
        await edgeTotals(ctx.db.sql, { from, to }),
        await serviceTotals(ctx.db.sql, { from, to }),
        await qualityTotals(ctx.db.sql, { from, to }),
      );

    // First sight of a window: one direct query. Second: its blocks are loaded. Then: all from the cache.
    const first = await cachedTotals(ctx.db.sql, from, to);
    expect(first.direct).toBe(true);
    const firstTotals = totalsOf(first);
    expect(firstTotals).toEqual(await uncached());
    expect(firstTotals.edges.find((e) => e.row.source === "gateway" && e.row.target === "orders")?.row.requests).toBe(
      12,
    );
    const second = await cachedTotals(ctx.db.sql, from, to);
    expect(second.direct).toBe(false);
    expect(second.blocksLoaded).toBeGreaterThan(2);
    expect(second.settledReused).toBe(false);
    expect(totalsOf(second)).toEqual(firstTotals);
    const again = await cachedTotals(ctx.db.sql, from, to);
    expect(again.blocksLoaded).toBe(0); // nothing changed: every block from the cache
    expect(again.settledReused).toBe(true); // and the settled hours' merge too
    expect(totalsOf(again)).toEqual(firstTotals);

    await sendShopTraces(exporter, 8);
    await aggregateAll(ctx.db.sql);
    const after = await cachedTotals(ctx.db.sql, from, to);
    expect(after.blocksLoaded).toBeGreaterThanOrEqual(1);
    expect(after.blocksLoaded).toBeLessThanOrEqual(2); // only the hour(s) the new spans fell in
    expect(after.direct).toBe(false);
    expect(after.settledReused).toBe(true); // the new spans are in the current hour, a hot one
    expect(totalsOf(after)).toEqual(await uncached());
    expect(after.edges.find((e) => e.row.source === "gateway" && e.row.target === "orders")?.row.requests).toBe(20);

    // The map's long-window read goes through the cache and agrees.
    const graph = await loadGraph(ctx.db.sql, new Date(Date.now() - 24 * HOUR), new Date());
    expect(graph.edges.find((e) => e.source === "gateway" && e.target === "orders")?.requests).toBe(20);
  });

  it("serve short windows from blocks of minutes (and whole hours inside), equal to the SQL over the same window", async () => {
    const to = new Date(Date.now() + 1500);
    const from = new Date(to.getTime() - 70 * 60_000 - 17_000); // ragged at both ends, a whole hour inside
    const uncached = async () =>
      compactTotals(
        await edgeTotals(ctx.db.sql, { from, to }),
        await serviceTotals(ctx.db.sql, { from, to }),
        await qualityTotals(ctx.db.sql, { from, to }),
      );
    const first = totalsOf(await cachedTotals(ctx.db.sql, from, to));
    expect(first).toEqual(await uncached());
    expect(totalsOf(await cachedTotals(ctx.db.sql, from, to))).toEqual(first);
    expect((await cachedTotals(ctx.db.sql, from, to)).blocksLoaded).toBe(0);

    await sendShopTraces(exporter, 5);
    await aggregateAll(ctx.db.sql);
    const after = await cachedTotals(ctx.db.sql, from, to);
    expect(after.blocksLoaded).toBeGreaterThanOrEqual(1);
    expect(after.blocksLoaded).toBeLessThanOrEqual(2); // the minute(s) the new spans fell in
    expect(totalsOf(after)).toEqual(await uncached());
    expect(after.edges.find((e) => e.row.source === "gateway" && e.row.target === "orders")?.row.requests).toBe(25);
  });
});
