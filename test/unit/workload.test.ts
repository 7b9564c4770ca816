import { describe, expect, it } from "vitest";
import { decodeExportTraceRequest } from "../../lib/ingest/otlp-proto";
import { realisticBatch, withNewTraceIds } from "../helpers/workload";

const spansOf = (body: Buffer) => decodeExportTraceRequest(body).flatMap((g) => g.scopes.flatMap((s) => s.spans));
const hex = (b: Buffer) => b.toString("hex");

describe("withNewTraceIds (the benchmark's re-sent load)", () => {
  const original = realisticBatch(3, 40).body;

  it("gives every span a new trace id and keeps traces, spans and parents together", () => {
    const before = spansOf(original);
    const after = spansOf(withNewTraceIds(original, 7));
    expect(after).toHaveLength(before.length);
    const renamed = new Map<string, string>();
    after.forEach((s, i) => {
      const b = before[i]!;
      expect(hex(s.traceId)).not.toBe(hex(b.traceId));
      expect(s.traceId.subarray(4).equals(b.traceId.subarray(4))).toBe(true);
      // One old trace id maps to one new one: traces stay whole.
      expect(renamed.get(hex(b.traceId)) ?? hex(s.traceId)).toBe(hex(s.traceId));
      renamed.set(hex(b.traceId), hex(s.traceId));
      expect(hex(s.spanId)).toBe(hex(b.spanId));
      expect(hex(s.parentSpanId)).toBe(hex(b.parentSpanId));
      expect(s.name).toBe(b.name);
    });
    expect(new Set(renamed.values()).size).toBe(new Set(before.map((s) => hex(s.traceId))).size);
  });

  it("leaves the original untouched, gives different salts different ids, and refuses salt 0", () => {
    const copy = Buffer.from(original);
    const one = spansOf(withNewTraceIds(original, 1)).map((s) => hex(s.traceId));
    const two = spansOf(withNewTraceIds(original, 2)).map((s) => hex(s.traceId));
    expect(original.equals(copy)).toBe(true);
    expect(one.some((id, i) => id === two[i])).toBe(false);
    expect(() => withNewTraceIds(original, 0)).toThrow(/salt/);
  });
});
