import { describe, expect, it } from "vitest";
import { normalize, rejectionMessage, type RawSpan } from "../../lib/ingest/normalize";

const NOW = 1_800_000_000_000_000_000n;
const limits = { maxAgeNs: 3600n * 1_000_000_000n, maxFutureNs: 60n * 1_000_000_000n };
const raw = (over: Partial<RawSpan> = {}): RawSpan => ({
  traceId: Buffer.alloc(16, 1),
  spanId: Buffer.alloc(8, 2),
  parentSpanId: Buffer.alloc(0),
  traceState: "",
  name: "op",
  kind: 2,
  startNs: NOW - 1_000_000n,
  endNs: NOW,
  attributes: {},
  events: [],
  links: [],
  statusCode: 0,
  statusMessage: "",
  ...over,
});
const run = (spans: RawSpan[], service: unknown = "svc") =>
  normalize(
    [{ resource: { "service.name": service as string }, scopes: [{ name: "", version: "", spans }] }],
    limits,
    NOW,
  );

describe("span validation", () => {
  it.each([
    [{ traceId: Buffer.alloc(8, 1) }, "trace id must be 16 bytes, got 8"],
    [{ traceId: Buffer.alloc(16) }, "trace id is all zeroes"],
    [{ spanId: Buffer.alloc(9, 1) }, "span id must be 8 bytes, got 9"],
    [{ spanId: Buffer.alloc(8) }, "span id is all zeroes"],
    [{ parentSpanId: Buffer.alloc(4, 1) }, "parent span id must be empty or 8 bytes, got 4"],
    [{ kind: 9 }, "invalid span kind 9"],
    [{ statusCode: 5 }, "invalid status code 5"],
    [{ statusCode: 0.5 }, "invalid status code 0.5"],
    [{ startNs: 0n, endNs: 0n }, "missing start time"],
    [{ endNs: NOW - 2_000_000n }, "end time is before start time"],
    [{ endNs: 2n ** 64n - 1n }, "duration longer than 31 days"],
    [{ startNs: NOW - limits.maxAgeNs - 1n }, "start time is older than the accepted age"],
    [
      { startNs: NOW + limits.maxFutureNs + 1n, endNs: NOW + limits.maxFutureNs + 2n },
      "start time is too far in the future",
    ],
    [{ problem: "decoder said no" }, "decoder said no"],
  ] as [Partial<RawSpan>, string][])("rejects %o with %s", (over, reason) => {
    const batch = run([raw(), raw(over)]);
    expect(batch.spans).toHaveLength(1);
    expect(batch.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([{ index: 1, reason }]);
  });

  it("rejects every span of a resource without service.name, and a blank one", () => {
    expect(run([raw(), raw()], null).rejected.map((r) => r.reason)).toEqual(
      Array(2).fill("missing service name (resource attribute service.name)"),
    );
    expect(run([raw()], "   ").spans).toHaveLength(0);
  });

  it("turns an all-zero parent id into a root span and computes the duration", () => {
    const [span] = run([raw({ parentSpanId: Buffer.alloc(8) })]).spans;
    expect(span!.parentSpanId).toBeNull();
    expect(span!.durationNs).toBe(1_000_000n);
  });

  it("summarises rejections by reason with span indexes", () => {
    const batch = run([raw({ kind: 7 }), raw(), raw({ kind: 7 }), raw({ spanId: Buffer.alloc(2) })]);
    expect(rejectionMessage(batch)).toBe(
      "3 span(s) rejected: invalid span kind 7 (2 spans: #0, 2); span id must be 8 bytes, got 2 (1 span: #3)",
    );
  });
});
