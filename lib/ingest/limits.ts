// Size limits and text repair applied to every accepted span (pure). One oversized or malformed string must not
// cost the rest of the batch: PostgreSQL text and jsonb reject NUL and lone UTF-16 surrogates, and a single such
// value would fail the whole COPY.
import type { Adjustments, AttributeValue, Attributes, SpanEvent, SpanLink } from "../model/span";
import { newAttributes } from "../model/span";

export interface ValueLimits {
  /** Longest string kept, in UTF-8 bytes; longer ones are cut (OTel's AttributeValueLengthLimit). */
  maxValueBytes: number;
  /** Attributes kept per span, event or link; the rest are dropped. */
  maxAttributes: number;
  /** Events and links kept per span. */
  maxEvents: number;
}

export const defaultValueLimits: ValueLimits = { maxValueBytes: 4096, maxAttributes: 128, maxEvents: 128 };

export const noAdjustments = (): Adjustments => ({
  truncatedValues: 0,
  droppedAttributes: 0,
  droppedEvents: 0,
  repairedText: 0,
});

export class ValueCleaner {
  readonly adjusted = noAdjustments();

  constructor(readonly limits: ValueLimits) {}

  text(s: string): string {
    let out = s;
    if (!out.isWellFormed()) {
      out = out.toWellFormed();
      this.adjusted.repairedText++;
    }
    if (out.includes("\u0000")) {
      out = out.replaceAll("\u0000", "\uFFFD");
      this.adjusted.repairedText++;
    }
    // Cheap test first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
    if (out.length * 3 > this.limits.maxValueBytes && Buffer.byteLength(out) > this.limits.maxValueBytes) {
      out = Buffer.from(out)
        .subarray(0, this.limits.maxValueBytes)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
      this.adjusted.truncatedValues++;
    }
    return out;
  }

  value(v: AttributeValue, depth = 0): AttributeValue {
    if (typeof v === "string") return this.text(v);
    if (v === null || typeof v !== "object") return v;
    // Deeply nested kvlists are data nobody reads; stop at a depth that JSON and jsonb handle comfortably.
    if (depth > 8) {
      this.adjusted.droppedAttributes++;
      return null;
    }
    if (Array.isArray(v)) {
      const kept = v.slice(0, this.limits.maxAttributes);
      this.adjusted.droppedAttributes += v.length - kept.length;
      return kept.map((x) => this.value(x, depth + 1));
    }
    return this.attributes(v as Attributes, depth + 1);
  }

  /** Whether text() would return `s` unchanged. */
  private cleanText(s: string): boolean {
    return (
      s.isWellFormed() &&
      !s.includes("\u0000") &&
      (s.length * 3 <= this.limits.maxValueBytes || Buffer.byteLength(s) <= this.limits.maxValueBytes)
    );
  }

  /** Whether value() would return `v` unchanged (and count nothing). */
  private cleanValue(v: AttributeValue, depth: number): boolean {
    if (typeof v === "string") return this.cleanText(v);
    if (v === null || typeof v !== "object") return true;
    if (depth > 8) return false;
    if (Array.isArray(v)) return v.length <= this.limits.maxAttributes && v.every((x) => this.cleanValue(x, depth + 1));
    return this.cleanAttributes(v as Attributes, depth + 1);
  }

  private cleanAttributes(attrs: Attributes, depth: number): boolean {
    let n = 0;
    for (const key in attrs) {
      if (++n > this.limits.maxAttributes || !this.cleanText(key) || !this.cleanValue(attrs[key]!, depth)) return false;
    }
    return true;
  }

  /**
   * Attributes within the limits. Most spans need no change: then the decoder's object itself is returned, as
   * copying twenty attributes per span was a good part of the collector's CPU and garbage.
   */
  attributes(attrs: Attributes, depth = 0): Attributes {
    if (this.cleanAttributes(attrs, depth)) return attrs;
    const out = newAttributes();
    let n = 0;
    for (const key in attrs) {
      if (n >= this.limits.maxAttributes) {
        this.adjusted.droppedAttributes++;
        continue;
      }
      out[this.text(key)] = this.value(attrs[key]!, depth);
      n++;
    }
    return out;
  }

  // Most spans have neither events nor links: no slice, map or closure for them (a closure per span costs its
  // name-keeping wrapper under tsx, which showed in the collector's profile).
  events(events: SpanEvent[]): SpanEvent[] {
    if (events.length === 0) return events;
    const kept = events.slice(0, this.limits.maxEvents);
    this.adjusted.droppedEvents += events.length - kept.length;
    return kept.map((e) => ({ ...e, name: this.text(e.name), attributes: this.attributes(e.attributes) }));
  }

  links(links: SpanLink[]): SpanLink[] {
    if (links.length === 0) return links;
    const kept = links.slice(0, this.limits.maxEvents);
    this.adjusted.droppedEvents += links.length - kept.length;
    return kept.map((l) => ({
      ...l,
      traceId: this.text(l.traceId),
      spanId: this.text(l.spanId),
      ...(l.traceState ? { traceState: this.text(l.traceState) } : {}),
      attributes: this.attributes(l.attributes),
    }));
  }
}

/**
 * Counts accepted spans per trace over the recent traces this process has seen, so a runaway trace (a loop that
 * never ends its trace) stops growing. Memory is bounded by forgetting the oldest traces first.
 */
export class TraceSpanCounter {
  private counts = new Map<string, number>();

  constructor(
    readonly maxSpansPerTrace: number,
    private readonly maxTraces = 200_000,
  ) {}

  /** Whether `n` more spans of this trace fit. */
  allows(traceId: string, n = 1): boolean {
    return (this.counts.get(traceId) ?? 0) + n <= this.maxSpansPerTrace;
  }

  add(traceId: string, n: number): void {
    const prev = this.counts.get(traceId);
    if (prev === undefined && this.counts.size >= this.maxTraces) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(traceId, (prev ?? 0) + n);
  }
}
