import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { SpanCore, StoredSpan } from "../model/span";

/**
 * Compacted spans: the spans of one trace within one compaction slice, as one deflated payload (trace_chunks). A
 * trace's spans repeat most of their attributes (the same route, tenant, database, query text), so deflating them
 * together stores each repeat once; per-row compression in PostgreSQL only starts at about 2 kB a row and could
 * never see across spans.
 */

/**
 * The span of start times one chunk covers at most: compaction moves a minute's slice (or less) at a time, so every
 * span of a chunk starts before first_start + CHUNK_SLICE_MS, and window reads need only first_start's index.
 */
export const CHUNK_SLICE_MS = 60_000;

/** A span as compaction reads it from `spans`: ids in hex, the json columns as their stored text. */
export interface ChunkSpan extends Omit<SpanCore, "traceId"> {
  scopeName: string | null;
  scopeVersion: string | null;
  resourceId: string;
  attributesText: string;
  eventsText: string;
  linksText: string;
}

/**
 * Format 1: a header line {"v":1,"t0":"<first start ns>"}, then one line per span, a JSON array of its fields (see
 * Row). A line per span lets a search scan each span's text and parse only the spans that can match.
 */
const FORMAT = 1;

/**
 * Keys most OpenTelemetry spans carry, given to deflate as its preset dictionary: a small trace's first mention of
 * each is then a back-reference too. Changing it changes the format (FORMAT and the dictionary go together).
 */
const DICTIONARY = Buffer.from(
  [
    '"http.request.method":"GET","http.route":"/","http.response.status_code":200,"url.path":"/","url.scheme":"https"',
    '"url.full":"https://","url.query":"","server.address":"","server.port":443,"client.address":"',
    '"network.protocol.version":"1.1","network.peer.address":"","network.peer.port":,"network.transport":"tcp"',
    '"user_agent.original":"Mozilla/5.0 ","http.request.body.size":0,"http.response.body.size":',
    '"db.system.name":"postgresql","db.system":"","db.namespace":"","db.name":"","db.operation.name":"SELECT"',
    '"db.collection.name":"","db.query.text":"SELECT  FROM  WHERE ","db.statement":"","db.response.returned_rows":',
    '"rpc.system":"grpc","rpc.service":"","rpc.method":"","messaging.system":"kafka","messaging.destination.name":"',
    '"messaging.operation.type":"","peer.service":"","code.function.name":"","code.file.path":"","code.line.number":',
    '"thread.name":"main","thread.id":,"exception.type":"","exception.message":"","exception.stacktrace":"',
    '"enduser.id":"","error.type":"","otel.status_code":"ERROR","timeUnixNano":"","attributes":{}',
    "[],[],null,null,null,",
  ].join(""),
);

/** Stored JSON text on one line: a raw line break in JSON can only be whitespace between tokens. */
const oneLine = (json: string) => (json.includes("\n") ? json.replaceAll(/\r?\n/g, " ") : json);

/**
 * The payload of one chunk: the spans' fields as JSON arrays, their json columns spliced in as stored (no parse),
 * start times relative to the first, deflated with the preset dictionary.
 */
export function encodeChunk(spans: ChunkSpan[]): Buffer {
  const t0 = spans.reduce((m, s) => (s.startNs < m ? s.startNs : m), spans[0]!.startNs);
  const rows = spans.map(
    (s) =>
      `[${JSON.stringify(s.spanId)},${JSON.stringify(s.parentSpanId)},${JSON.stringify(s.traceState)},` +
      `${JSON.stringify(s.serviceName)},${JSON.stringify(s.name)},${s.kind},"${s.startNs - t0}","${s.durationNs}",` +
      `${s.statusCode},${JSON.stringify(s.statusMessage)},${JSON.stringify(s.scopeName)},` +
      `${JSON.stringify(s.scopeVersion)},${JSON.stringify(s.resourceId)},${oneLine(s.attributesText)},` +
      `${oneLine(s.eventsText)},${oneLine(s.linksText)}]`,
  );
  const text = `{"v":${FORMAT},"t0":"${t0}"}\n${rows.join("\n")}`;
  return deflateRawSync(text, { level: 6, dictionary: DICTIONARY });
}

/** The payload's JSON text (for a cheap text scan before parsing). */
export function inflateChunk(payload: Buffer): string {
  return inflateRawSync(payload, { dictionary: DICTIONARY }).toString("utf8");
}

type Row = [
  string,
  string | null,
  string | null,
  string,
  string,
  number,
  string,
  string,
  number,
  string | null,
  string | null,
  string | null,
  string,
  Record<string, unknown>,
  StoredSpan["events"],
  StoredSpan["links"],
];

/** A decoded span: a StoredSpan but for its resource's attributes, which the reader looks up by `resourceId`. */
export type ChunkedSpan = Omit<StoredSpan, "resourceAttributes"> & { resourceId: string };

/** A chunk's text split: its first start and one JSON text per span (parseSpanLine reads one). */
export function chunkLines(text: string): { t0: bigint; lines: string[] } {
  const lines = text.split("\n");
  const header = JSON.parse(lines[0]!) as { v: number; t0: string };
  if (header.v !== FORMAT) throw new Error(`trace chunk of unknown format ${header.v}`);
  return { t0: BigInt(header.t0), lines: lines.slice(1) };
}

export function parseSpanLine(traceId: string, t0: bigint, line: string): ChunkedSpan {
  const r = JSON.parse(line) as Row;
  return {
    traceId,
    spanId: r[0],
    parentSpanId: r[1],
    traceState: r[2],
    serviceName: r[3],
    name: r[4],
    kind: r[5],
    startNs: t0 + BigInt(r[6]),
    durationNs: BigInt(r[7]),
    statusCode: r[8],
    statusMessage: r[9],
    scopeName: r[10],
    scopeVersion: r[11],
    resourceId: r[12],
    attributes: r[13],
    events: r[14],
    links: r[15],
  };
}

/** The spans of a chunk's text (inflateChunk), as StoredSpan reads them but for the resource. */
export function parseChunk(traceId: string, text: string): ChunkedSpan[] {
  const { t0, lines } = chunkLines(text);
  return lines.map((l) => parseSpanLine(traceId, t0, l));
}

export const decodeChunk = (traceId: string, payload: Buffer) => parseChunk(traceId, inflateChunk(payload));
