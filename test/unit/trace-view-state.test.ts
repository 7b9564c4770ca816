import { describe, expect, it } from "vitest";
import { hasChildren, parseTraceViewState, traceViewParams, visibleRows } from "../../app/traces/[traceId]/url";

const row = (spanId: string, depth: number) => ({ spanId: spanId.padStart(16, "0"), depth });

describe("trace view state", () => {
  it("round-trips and ignores malformed ids", () => {
    const s = { span: "00f067aa0ba902b7", collapsed: ["0000000000000001", "00000000000000aa"], search: "payment" };
    expect(parseTraceViewState(traceViewParams(s))).toEqual(s);
    expect(parseTraceViewState({ span: "<script>", collapsed: "zz,0000000000000001" })).toEqual({
      span: null,
      collapsed: ["0000000000000001"],
      search: "",
    });
  });

  it("hides the descendants of collapsed rows only", () => {
    const rows = [row("1", 0), row("2", 1), row("3", 2), row("4", 1), row("5", 2), row("6", 0)];
    const ids = (rs: { spanId: string }[]) => rs.map((r) => Number.parseInt(r.spanId, 16));
    expect(ids(visibleRows(rows, new Set([row("2", 0).spanId])))).toEqual([1, 2, 4, 5, 6]);
    expect(ids(visibleRows(rows, new Set([row("1", 0).spanId])))).toEqual([1, 6]);
    expect([hasChildren(rows, 0), hasChildren(rows, 2), hasChildren(rows, 5)]).toEqual([true, false, false]);
  });
});
