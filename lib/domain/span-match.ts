import type { ChunkedSpan } from "./trace-chunk";
import { attributeCandidates, type AttributeFilter, synthesizedTag, type TraceSearch } from "./trace-search";

/**
 * Trace search over compacted spans, decided in code with the answers the SQL search gives on raw spans
 * (lib/db/trace-search.ts): the same candidates compared as jsonb compares them, the same synthesized tags.
 */

/**
 * The attribute `key` (the last of duplicate keys, as JSON.parse keeps it) meets one of the filter's candidates. A
 * scalar candidate equals a parsed JSON value exactly as jsonb compares them: same type, numbers by value, and an
 * array or map never equals one, so plain === is jsonb's equality here.
 */
export function attributeMatches(attributes: Record<string, unknown>, f: AttributeFilter): boolean {
  if (!Object.hasOwn(attributes, f.key)) return false;
  const stored = attributes[f.key];
  return attributeCandidates(f.value).some((c) => stored === c);
}

/** Resources (hex ids) that meet each attribute filter, and those in the search's environments (null: any). */
export interface ResourceMatches {
  perFilter: Set<string>[];
  envs: Set<string> | null;
}

export interface SpanWindow {
  from: Date;
  to: Date;
}

const SYNTHESIZED = {
  kind: (s: ChunkedSpan) => s.kind,
  statusCode: (s: ChunkedSpan) => s.statusCode,
  statusMessage: (s: ChunkedSpan) => s.statusMessage,
  scopeName: (s: ChunkedSpan) => s.scopeName,
  scopeVersion: (s: ChunkedSpan) => s.scopeVersion,
} as const;

/** start_time (microseconds, truncated) within [from, to). */
export function startsWithin(startNs: bigint, w: SpanWindow): boolean {
  const us = startNs / 1000n;
  return us >= BigInt(w.from.getTime()) * 1000n && us < BigInt(w.to.getTime()) * 1000n;
}

/** Whether one span meets every criterion of the search (all on the one span, as the SQL search has it). */
export function spanMatches(s: ChunkedSpan, q: TraceSearch, w: SpanWindow, r: ResourceMatches): boolean {
  if (!startsWithin(s.startNs, w)) return false;
  if (q.service !== null && s.serviceName !== q.service) return false;
  if (q.operation !== null && s.name !== q.operation) return false;
  const duration = Number(s.durationNs);
  if (q.minMs !== null && !(duration >= q.minMs * 1e6)) return false;
  if (q.maxMs !== null && !(duration <= q.maxMs * 1e6)) return false;
  if (q.status === "error" && s.statusCode !== 2) return false;
  if (q.status === "ok" && s.statusCode !== 1) return false;
  if (q.kind !== null && s.kind !== q.kind) return false;
  if (r.envs && !r.envs.has(s.resourceId)) return false;
  return q.attributes.every((f, i) => {
    if (attributeMatches(s.attributes, f) || r.perFilter[i]?.has(s.resourceId)) return true;
    const synth = synthesizedTag(f);
    return synth !== null && SYNTHESIZED[synth.field](s) === synth.value;
  });
}
