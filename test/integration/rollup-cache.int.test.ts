import { describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { useCollectorDatabase } from "../helpers/collector";
import { sendShopTraces } from "../helpers/shop-traces";
import { aggregateAll } from "../helpers/aggregate";
import { edgeTotals, qualityTotals, serviceTotals } from "../../lib/db/graph-reads";
import { compactTotals, hourlyTotals } from "../../lib/query/rollup-cache";
import { loadGraph } from "../../lib/query/graph";

const ctx = useCollectorDatabase();
const HOUR = 3_600_000;
const exporter = () => new OTLPTraceExporter({ url: `http://127.0.0.1:${ctx.collector.ports.otlpHttp}/v1/traces` });
const dayWindow = () => {
  const to = Math.ceil((Date.now() + 1) / HOUR) * HOUR;
  return [new Date(to - 24 * HOUR), new Date(to)] as const;
};

describe("cached hour blocks for long windows", () => {
  it("equal the uncached SQL totals, reload only changed hours, and show new data at once", async () => {
    await sendShopTraces(exporter, 12);
    await aggregateAll(ctx.db.sql);
    const [from, to] = dayWindow();
    const uncached = async () => compactTotals(await edgeTotals(ctx.db.sql, from, to), await serviceTotals(ctx.db.sql, from, to), await qualityTotals(ctx.db.sql, from, to));

    const first = await hourlyTotals(ctx.db.sql, from, to);
    expect(first.blocksLoaded).toBeGreaterThan(0);
    const { blocksLoaded: _, ...firstTotals } = first;
    expect(firstTotals).toEqual(await uncached());
    expect(first.edges.find((e) => e.row.source === "gateway" && e.row.target === "orders")?.row.requests).toBe(12);

    const again = await hourlyTotals(ctx.db.sql, from, to);
    expect(again.blocksLoaded).toBe(0); // nothing changed: every block from the cache

    await sendShopTraces(exporter, 8);
    await aggregateAll(ctx.db.sql);
    const after = await hourlyTotals(ctx.db.sql, from, to);
    expect(after.blocksLoaded).toBeGreaterThanOrEqual(1);
    expect(after.blocksLoaded).toBeLessThanOrEqual(2); // only the hour(s) the new spans fell in
    const { blocksLoaded: __, ...afterTotals } = after;
    expect(afterTotals).toEqual(await uncached());
    expect(after.edges.find((e) => e.row.source === "gateway" && e.row.target === "orders")?.row.requests).toBe(20);

    // The map's long-window read goes through the cache and agrees.
    const graph = await loadGraph(ctx.db.sql, new Date(Date.now() - 24 * HOUR), new Date());
    expect(graph.edges.find((e) => e.source === "gateway" && e.target === "orders")?.requests).toBe(20);
  });
});
