// The waterfall's rows as the server page hands them to the browser. As an array of objects a 10,000-span trace
// was 3.5 MB of JSON (every field name, service, kind and resource repeated per span), and the page spent longer
// serialising, sending and parsing it than drawing it. Columns with a table of repeated strings carry the same rows
// in a fraction of that; the client unpacks them back into exactly the same TraceRow objects.
import type { TraceRow } from "@/lib/domain/trace-tree";

type Pairs = [string, string][];

export interface PackedTraceRows {
  /** Every service, name, kind, status message and attribute key or value, once. */
  strings: string[];
  /** Distinct resources: flattened [key, value, key, value, ...] indexes into strings. */
  resources: number[][];
  spanId: string[];
  /** Index of the parent's row (the first row with that span id), null for a root, or the id of a parent not in the rows. */
  parent: (number | string | null)[];
  depth: number[];
  service: number[];
  name: number[];
  kind: number[];
  offsetMs: number[];
  durationMs: number[];
  selfMs: number[];
  /** Bit 0: error, bit 1: on the critical path, bit 2: orphan (parent missing from the trace). */
  flags: number[];
  statusCode: number[];
  /** Index into strings, or -1 for none. */
  statusMessage: number[];
  /** Index into strings, or -1 for none. */
  peer: number[];
  /** Flattened [key, value, ...] indexes into strings. */
  attributes: number[][];
  resource: number[];
  /** Only the rows that have any. */
  events: Record<number, TraceRow["events"]>;
  links: Record<number, TraceRow["links"]>;
}

const ERROR = 1;
const CRITICAL = 2;
const ORPHAN = 4;

export function packTraceRows(rows: TraceRow[]): PackedTraceRows {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const str = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      stringIndex.set(s, i);
    }
    return i;
  };
  const pairs = (p: Pairs) => p.flatMap(([k, v]) => [str(k), str(v)]);
  const resources: number[][] = [];
  const resourceIndex = new Map<string, number>();
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!firstRow.has(r.spanId)) firstRow.set(r.spanId, i);
  });
  const out: PackedTraceRows = {
    strings,
    resources,
    spanId: [],
    parent: [],
    depth: [],
    service: [],
    name: [],
    kind: [],
    offsetMs: [],
    durationMs: [],
    selfMs: [],
    flags: [],
    statusCode: [],
    statusMessage: [],
    peer: [],
    attributes: [],
    resource: [],
    events: {},
    links: {},
  };
  rows.forEach((r, i) => {
    out.spanId.push(r.spanId);
    // Parent cycles emit a parent after its child, so the index is looked up among all rows.
    out.parent.push(r.parentSpanId === null ? null : (firstRow.get(r.parentSpanId) ?? r.parentSpanId));
    out.depth.push(r.depth);
    out.service.push(str(r.service));
    out.name.push(str(r.name));
    out.kind.push(str(r.kind));
    out.offsetMs.push(r.offsetMs);
    out.durationMs.push(r.durationMs);
    out.selfMs.push(r.selfMs);
    out.flags.push((r.error ? ERROR : 0) | (r.critical ? CRITICAL : 0) | (r.orphan ? ORPHAN : 0));
    out.statusCode.push(r.statusCode);
    out.statusMessage.push(r.statusMessage === null ? -1 : str(r.statusMessage));
    out.peer.push(r.peer === null ? -1 : str(r.peer));
    out.attributes.push(pairs(r.attributes));
    const resource = pairs(r.resource);
    const key = resource.join(",");
    let ri = resourceIndex.get(key);
    if (ri === undefined) {
      ri = resources.push(resource) - 1;
      resourceIndex.set(key, ri);
    }
    out.resource.push(ri);
    if (r.events.length > 0) out.events[i] = r.events;
    if (r.links.length > 0) out.links[i] = r.links;
  });
  return out;
}

export function unpackTraceRows(p: PackedTraceRows): TraceRow[] {
  const s = p.strings;
  const pairs = (flat: number[]): Pairs => {
    const out: Pairs = [];
    for (let j = 0; j < flat.length; j += 2) out.push([s[flat[j]!]!, s[flat[j + 1]!]!]);
    return out;
  };
  const resources = p.resources.map(pairs);
  return p.spanId.map((spanId, i) => {
    const parent = p.parent[i]!;
    const flags = p.flags[i]!;
    const message = p.statusMessage[i]!;
    const peer = p.peer[i]!;
    return {
      spanId,
      parentSpanId: typeof parent === "number" ? p.spanId[parent]! : parent,
      depth: p.depth[i]!,
      service: s[p.service[i]!]!,
      name: s[p.name[i]!]!,
      kind: s[p.kind[i]!]!,
      offsetMs: p.offsetMs[i]!,
      durationMs: p.durationMs[i]!,
      error: (flags & ERROR) !== 0,
      statusMessage: message < 0 ? null : s[message]!,
      peer: peer < 0 ? null : s[peer]!,
      attributes: pairs(p.attributes[i]!),
      orphan: (flags & ORPHAN) !== 0,
      critical: (flags & CRITICAL) !== 0,
      selfMs: p.selfMs[i]!,
      statusCode: p.statusCode[i]!,
      // Rows of one resource share its pairs: nothing edits them.
      resource: resources[p.resource[i]!]!,
      events: p.events[i] ?? [],
      links: p.links[i] ?? [],
    };
  });
}

/**
 * The form the page passes to the client component: one JSON string. React serialises a string prop in one go,
 * where the same value as arrays costs it a visit per number (150,000 of them for 10,000 spans).
 */
export const traceRowsJson = (rows: TraceRow[]): string => JSON.stringify(packTraceRows(rows));
export const traceRowsFromJson = (json: string): TraceRow[] => unpackTraceRows(JSON.parse(json) as PackedTraceRows);
