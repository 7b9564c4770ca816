import { attributeCandidates, type AttributeFilter } from "./trace-search";

/**
 * A Bloom filter of the span attributes of one chunk (trace_chunks.attribute_filter): one token per scalar
 * attribute, its key and its value's JSON text. A search for key=value reads a chunk's payload only when one of
 * the filter's candidates may be in it, so a search matching few traces skips inflating almost every chunk.
 * About 8 bits a distinct token and 5 probes: roughly 2% of chunks that lack the value are read anyway.
 */
const BITS_PER_TOKEN = 8;
const PROBES = 5;

/**
 * Values whose JSON text is longer than this (query texts, stack traces, user agents) are not in the filter, and a
 * search for one reads the chunk: hashing them was most of the filter's cost, and such searches are rare.
 */
const MAX_VALUE_TEXT = 48;

/** The token of one attribute: key, NUL, the value's JSON text (scalars compare equal exactly when these do). */
const tokenOf = (key: string, valueText: string) => `${key}\u0000${valueText}`;

/** Two 32-bit FNV-1a hashes of the token (different offsets), for double hashing. */
function hashes(token: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

/** The filter of a set of tokens. */
export function buildBloom(tokens: Set<string>): Buffer {
  const bytes = Math.max(1, Math.ceil((tokens.size * BITS_PER_TOKEN) / 8));
  const bits = bytes * 8;
  const out = Buffer.alloc(bytes);
  for (const t of tokens) {
    const [h1, h2] = hashes(t);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % bits;
      out[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return out;
}

export function mayContain(bloom: Buffer, token: string): boolean {
  const bits = bloom.length * 8;
  const [h1, h2] = hashes(token);
  for (let i = 0; i < PROBES; i++) {
    const bit = (h1 + i * h2) % bits;
    if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

/** The tokens of a span's scalar attributes (arrays and maps never match a search's scalar candidates). */
export function addAttributeTokens(tokens: Set<string>, attributes: Record<string, unknown>): void {
  for (const k in attributes) {
    const v = attributes[k];
    if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
    const text = JSON.stringify(v);
    if (text.length <= MAX_VALUE_TEXT) tokens.add(tokenOf(k, text));
  }
}

/** Whether a chunk with this filter may hold a span attribute meeting `f`. */
export function bloomMayMatch(bloom: Buffer, f: AttributeFilter): boolean {
  return attributeCandidates(f.value).some((c) => {
    const text = JSON.stringify(c);
    return text.length > MAX_VALUE_TEXT || mayContain(bloom, tokenOf(f.key, text));
  });
}
