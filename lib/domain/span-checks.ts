// What makes a span unusable downstream, checked in one place (pure). Ingest rejects such spans per span; the
// aggregator checks stored spans again, because rows written by older versions or by hand never met these rules,
// and one span it cannot process must not stop the roll-up for everyone.
import type { AggSpan, AttributeValue, Attributes } from "../model/span";

import { isHexSpanId, isHexTraceId } from "../model/ids";

/** Text PostgreSQL text and jsonb both accept: well-formed UTF-16 (no lone surrogates) and no NUL. */
export const isStorableText = (s: string): boolean => s.isWellFormed() && !s.includes("\u0000");

/** Why a link cannot be followed, or null. Link ids are lower-case hex: 32 digits for the trace, 16 for the span. */
export function linkProblem(link: { traceId: unknown; spanId: unknown }, index: number): string | null {
  if (!isHexTraceId(link.traceId)) return `links[${index}].traceId must be 32 lower-case hex digits`;
  if (!isHexSpanId(link.spanId)) return `links[${index}].spanId must be 16 lower-case hex digits`;
  return null;
}

function valueProblem(v: AttributeValue, depth: number): boolean {
  if (typeof v === "string") return !isStorableText(v);
  if (typeof v === "number") return !Number.isFinite(v);
  if (v === null || typeof v !== "object") return false;
  if (depth > 16) return true;
  if (Array.isArray(v)) return v.some((x) => valueProblem(x, depth + 1));
  return attributesProblem(v as Attributes, depth + 1) !== null;
}

function attributesProblem(attrs: Attributes, depth = 0): string | null {
  for (const key in attrs) {
    if (!isStorableText(key)) return "an attribute key is not storable text (lone surrogate or NUL)";
    if (valueProblem(attrs[key]!, depth)) return `attribute ${JSON.stringify(key)} has a value that is not storable`;
  }
  return null;
}

// Resources are shared by many spans (one parsed object per distinct resource): checked once each.
const cleanResources = new WeakSet<object>();

/**
 * Why the aggregator cannot use this stored span, or null: ids as hex, its own text as storable, numbers as finite
 * and in range, the (shared) resource's values.
 */
export function storedSpanProblem(s: AggSpan): string | null {
  if (!isHexTraceId(s.traceId)) return "trace id is not 16 bytes";
  if (!isHexSpanId(s.spanId)) return "span id is not 8 bytes";
  if (s.parentSpanId !== null && !isHexSpanId(s.parentSpanId)) return "parent span id is not 8 bytes";
  if (!Number.isInteger(s.kind) || s.kind < 0 || s.kind > 5) return `span kind ${s.kind} is out of range`;
  if (!Number.isInteger(s.statusCode) || s.statusCode < 0 || s.statusCode > 2)
    return `status code ${s.statusCode} is out of range`;
  if (s.startNs <= 0n || s.durationNs < 0n) return "start time or duration is out of range";
  for (const [field, text] of [
    ["service name", s.serviceName],
    ["name", s.name],
    ["status message", s.statusMessage],
    ["trace state", s.traceState],
  ] as const) {
    if (text !== null && (typeof text !== "string" || !isStorableText(text)))
      return `${field} is not storable text (lone surrogate or NUL)`;
  }
  for (let i = 0; i < s.links.length; i++) {
    const p = linkProblem(s.links[i]!, i);
    if (p) return p;
  }
  // Attributes are not walked here: parsing every span's for this cost more than the rest of the check, and any
  // value of theirs the roll-up writes and PostgreSQL refuses is found by the aggregator's isolation and set aside.
  if (!cleanResources.has(s.resourceAttributes)) {
    const res = attributesProblem(s.resourceAttributes);
    if (res) return `resource ${res}`;
    cleanResources.add(s.resourceAttributes);
  }
  return null;
}

/**
 * Node and operation names are parts of the roll-up tables' keys, and PostgreSQL refuses a btree key over ~2.7 kB:
 * names come from any attribute (peer.service, server.address) and are cut here, so no name can fail a write.
 */
export const MAX_NAME_BYTES = 1000;
export function clampName(name: string): string {
  if (name.length * 3 <= MAX_NAME_BYTES || Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  return Buffer.from(name)
    .subarray(0, MAX_NAME_BYTES)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}
