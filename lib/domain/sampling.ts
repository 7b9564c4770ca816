import type { Attributes } from "../model/span";

/**
 * How many real spans this sampled span stands for. OpenTelemetry's tracestate `ot=th:<hex>` gives the rejection
 * threshold t of 56-bit randomness (probability 1 - t/2^56); otherwise a `sampling.adjusted_count` or `SampleRate`
 * attribute on the span or its resource; otherwise 1.
 */
export function adjustedCount(traceState: string | null, attributes: Attributes, resource: Attributes): number {
  return ownAdjustedCount(traceState, attributes, resource) ?? 1;
}

/** The adjusted count a span's own sampling information gives, or null when it carries none (e.g. Zipkin spans). */
export function ownAdjustedCount(
  traceState: string | null,
  attributes: Attributes,
  resource: Attributes,
): number | null {
  const th = thresholdOf(traceState);
  if (th !== null) return th;
  for (const source of [attributes, resource]) {
    for (const key of ["sampling.adjusted_count", "SampleRate"]) {
      const v = Number(source[key]);
      if (Number.isFinite(v) && v >= 1) return v;
    }
  }
  return null;
}

function thresholdOf(traceState: string | null): number | null {
  if (!traceState) return null;
  const ot = traceState
    .split(",")
    .map((e) => e.trim())
    .find((e) => e.startsWith("ot="));
  if (!ot) return null;
  const th = ot
    .slice(3)
    .split(";")
    .find((kv) => kv.startsWith("th:"))
    ?.slice(3);
  if (!th || !/^[0-9a-f]{1,14}$/.test(th)) return null;
  // Trailing zeros may be omitted: "c" means 0xc0000000000000.
  const threshold = Number.parseInt(th.padEnd(14, "0"), 16);
  const probability = 1 - threshold / 2 ** 56;
  return probability > 0 ? 1 / probability : null;
}
