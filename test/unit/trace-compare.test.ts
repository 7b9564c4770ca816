import { describe, expect, it } from "vitest";
import { compareTraces } from "../../lib/domain/trace-compare";

const row = (
  spanId: string,
  parentSpanId: string | null,
  service: string,
  name: string,
  durationMs: number,
  error = false,
) => ({
  spanId,
  parentSpanId,
  service,
  name,
  durationMs,
  error,
  peer: null,
});

describe("trace compare", () => {
  it("aligns two traces by service/operation path and gives presence and the duration delta per path", () => {
    const typical = [
      row("1", null, "gateway", "GET /order", 100),
      row("2", "1", "orders", "POST /orders", 60),
      row("3", "2", "payments", "POST /charge", 30),
      row("4", "1", "users", "GET /user", 10),
    ];
    const slow = [
      row("a", null, "gateway", "GET /order", 300),
      row("b", "a", "orders", "POST /orders", 260),
      row("c", "b", "payments", "POST /charge", 230, true),
      row("d", "b", "payments", "POST /charge", 5),
      row("e", "b", "fraud", "POST /check", 12),
    ];
    const nodes = compareTraces(typical, slow);
    expect(nodes.map((n) => [n.service, n.depth, n.a?.spans ?? 0, n.b?.spans ?? 0, n.deltaMs])).toEqual([
      ["gateway", 0, 1, 1, 200],
      ["orders", 1, 1, 1, 200],
      ["payments", 2, 1, 2, 205],
      ["fraud", 2, 0, 1, null],
      ["users", 1, 1, 0, null],
    ]);
    expect(nodes[2]!.b).toEqual({ spans: 2, ms: 235, errors: 1 });
  });

  it("survives a parent cycle and a missing parent", () => {
    const nodes = compareTraces(
      [row("x", "y", "s", "a", 1), row("y", "x", "s", "b", 1), row("z", "gone", "t", "c", 1)],
      [],
    );
    expect(nodes).toHaveLength(3);
    expect(nodes.every((n) => n.b === null && n.deltaMs === null)).toBe(true);
  });
});
