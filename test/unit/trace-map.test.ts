import { describe, expect, it } from "vitest";
import { traceServiceMap } from "../../app/traces/[traceId]/trace-map";
import { rowWindow, scrollToShow } from "../../app/traces/[traceId]/url";

const row = (
  spanId: string,
  parentSpanId: string | null,
  service: string,
  kind: string,
  attributes: [string, string][] = [],
  error = false,
  durationMs = 10,
) => ({ spanId, parentSpanId, service, kind, attributes, error, durationMs });

describe("trace map", () => {
  it("counts calls between services, names unanswered client calls like the main map, and ignores calls within a service", () => {
    const { nodes, edges } = traceServiceMap([
      row("1", null, "frontend", "server"),
      row("2", "1", "frontend", "client"),
      row("3", "2", "orders", "server"),
      row("4", "3", "orders", "internal"),
      row(
        "5",
        "4",
        "orders",
        "client",
        [
          ["db.system", "postgresql"],
          ["db.namespace", "shop"],
        ],
        true,
      ),
      row("6", "1", "frontend", "client", [], true),
      row("7", "6", "orders", "server", [], false, 25),
      row("8", "gone", "mailer", "server"),
    ]);
    expect(edges).toEqual([
      { source: "frontend", target: "orders", calls: 2, errors: 1, timeMs: 35 },
      { source: "orders", target: "shop", calls: 1, errors: 1, timeMs: 10 },
    ]);
    expect(nodes.map((n) => [n.id, n.type, n.spans, n.errors])).toEqual([
      ["frontend", "service", 3, 1],
      ["mailer", "service", 1, 0],
      ["orders", "service", 4, 1],
      ["shop", "database", 1, 1],
    ]);
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.position.x]));
    expect(x.frontend).toBeLessThan(x.orders!);
    expect(x.orders).toBeLessThan(x.shop!);
  });
});

describe("row window", () => {
  it("renders the rows in view plus overscan, with spacers for the rest", () => {
    expect(rowWindow(10_000, 26, 0, 640, 20)).toEqual({ start: 0, end: 45, padTop: 0, padBottom: (10_000 - 45) * 26 });
    const mid = rowWindow(10_000, 26, 26 * 5000, 640, 20);
    expect(mid).toEqual({ start: 4980, end: 5045, padTop: 4980 * 26, padBottom: (10_000 - 5045) * 26 });
    expect(rowWindow(10_000, 26, 26 * 10_000, 640, 20)).toEqual({
      start: 9980,
      end: 10_000,
      padTop: 9980 * 26,
      padBottom: 0,
    });
    expect(rowWindow(3, 26, 0, 640)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
  });

  it("scrolls only when the row is outside the viewport", () => {
    expect(scrollToShow(10, 26, 0, 640)).toBeNull();
    expect(scrollToShow(100, 26, 0, 640)).toBe(101 * 26 - 640);
    expect(scrollToShow(2, 26, 1000, 640)).toBe(52);
  });
});
