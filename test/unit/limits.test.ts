import { describe, expect, it } from "vitest";
import { TraceSpanCounter, ValueCleaner } from "../../lib/ingest/limits";
import { normalize, type RawSpan } from "../../lib/ingest/normalize";
import { Registry } from "../../lib/metrics";
import { copyChunks, startTimeText } from "../../lib/db/span-copy";

const NOW = 1_800_000_000_000_000_000n;
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

describe("value limits", () => {
  it("cuts long strings at a character boundary within the byte limit, and counts it", () => {
    const clean = new ValueCleaner({ maxValueBytes: 10, maxAttributes: 5, maxEvents: 2 });
    expect(clean.text("short")).toBe("short");
    expect(clean.text("ééééééé")).toBe("ééééé"); // 14 bytes -> 10
    expect(clean.text("abcdefghi€")).toBe("abcdefghi"); // the 3-byte euro sign would cross the limit
    expect(clean.adjusted.truncatedValues).toBe(2);
  });

  it("repairs what PostgreSQL cannot store: NUL and lone surrogates", () => {
    const clean = new ValueCleaner({ maxValueBytes: 100, maxAttributes: 5, maxEvents: 2 });
    expect(clean.text("a\u0000b")).toBe("a\uFFFDb");
    expect(clean.text("x\ud800y")).toBe("x\uFFFDy");
    expect(clean.text("ok 😀")).toBe("ok 😀");
    expect(clean.adjusted.repairedText).toBe(2);
  });

  it("caps attributes per map and array entries, keeps keys' text safe, and nested maps bounded", () => {
    const clean = new ValueCleaner({ maxValueBytes: 100, maxAttributes: 3, maxEvents: 1 });
    const out = clean.attributes({ a: 1, b: "x", "c\u0000": [1, 2, 3, 4, 5], d: true, e: null });
    expect(Object.keys(out)).toEqual(["a", "b", "c\uFFFD"]);
    expect(out["c\uFFFD"]).toEqual([1, 2, 3]);
    expect(clean.adjusted.droppedAttributes).toBe(2 + 2);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(clean.attributes(deep as never)).length).toBeLessThan(100);
    expect(
      clean.events([
        { name: "a", timeUnixNano: "1", attributes: {} },
        { name: "b", timeUnixNano: "2", attributes: {} },
      ]),
    ).toHaveLength(1);
    expect(clean.adjusted.droppedEvents).toBe(1);
  });

  it("applies to names, resources and events in normalize, and rejects spans past a trace's cap", () => {
    const traces = new TraceSpanCounter(3);
    traces.add(Buffer.alloc(16, 1).toString("hex"), 2);
    const spans = [
      raw({ name: "n".repeat(5000) }),
      raw({ spanId: Buffer.alloc(8, 3) }),
      raw({ spanId: Buffer.alloc(8, 4), traceId: Buffer.alloc(16, 9) }),
    ];
    const batch = normalize(
      [
        {
          resource: { "service.name": "svc\u0000", big: "v".repeat(5000) },
          scopes: [{ name: "", version: "", spans }],
        },
      ],
      { maxAgeNs: 10n ** 18n, maxFutureNs: 10n ** 12n },
      NOW,
      traces,
    );
    expect(batch.spans.map((s) => s.name.length)).toEqual([4096, 2]);
    expect(batch.spans[0]!.serviceName).toBe("svc\uFFFD");
    expect((batch.spans[0]!.resourceAttributes.big as string).length).toBe(4096);
    expect(batch.rejected).toEqual([{ index: 1, code: "trace_too_large", reason: "trace has more than 3 spans" }]);
    expect(batch.adjusted).toMatchObject({ truncatedValues: 2, repairedText: 1 });
  });

  it("forgets the oldest traces first when it tracks too many", () => {
    const traces = new TraceSpanCounter(1, 2);
    traces.add("a", 1);
    traces.add("b", 1);
    traces.add("c", 1);
    expect([traces.allows("a"), traces.allows("b"), traces.allows("c")]).toEqual([true, false, false]);
  });
});

describe("metrics", () => {
  it("renders counters with labels and gauges in the Prometheus text format, skipping a failing gauge", async () => {
    const r = new Registry();
    const c = r.counter("t_total", "Things.");
    c.inc({ reason: 'a "quoted"\nline' }, 2);
    c.inc({ reason: 'a "quoted"\nline' });
    r.gauge("g", "A gauge.", () => [{ value: 1.5 }]);
    r.gauge("broken", "Fails.", async () => {
      throw new Error("db down");
    });
    expect(await r.render()).toBe(
      '# HELP t_total Things.\n# TYPE t_total counter\nt_total{reason="a \\"quoted\\"\\nline"} 3\n# HELP g A gauge.\n# TYPE g gauge\ng 1.5\n',
    );
  });
});

describe("COPY lines", () => {
  it("writes the partition key with microseconds, truncated like the INSERT path does", () => {
    expect(startTimeText(1_795_547_439_206_123_999n)).toBe("2026-11-24T19:10:39.206123Z");
    expect(startTimeText(1_000_000_000_000_000_001n)).toBe("2001-09-09T01:46:40.000000Z");
  });
});

describe("storable strings", () => {
  it("cleans link ids too, and the COPY line repairs anything that still slipped through", () => {
    const clean = new ValueCleaner({ maxValueBytes: 100, maxAttributes: 5, maxEvents: 2 });
    expect(clean.links([{ traceId: "a\u0000", spanId: "\ud800", attributes: {} }])).toEqual([
      { traceId: "a\uFFFD", spanId: "\uFFFD", attributes: {} },
    ]);
    const [span] = normalize(
      [{ resource: { "service.name": "svc" }, scopes: [{ name: "", version: "", spans: [raw()] }] }],
      { maxAgeNs: 10n ** 18n, maxFutureNs: 10n ** 12n },
      NOW,
    ).spans;
    const line = Buffer.concat([
      ...copyChunks([{ ...span!, name: "x\u0000y", attributes: { k: "\udc00", ok: "😀 \\u0000 literal" } }]),
    ]).toString("utf8");
    expect(line).not.toContain("\u0000");
    expect(line.isWellFormed()).toBe(true);
    expect(line).toContain("x\uFFFDy");
    expect(line).toContain('"k":"\uFFFD"');
    expect(line).toContain("😀");
  });
});
