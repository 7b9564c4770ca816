import { addToHistogram, type Histogram } from "../model/histogram";
import type { EdgeObservation, Observations, QualityCounter } from "./pairing";
import { ascending } from "./order";
import { clampName } from "./span-checks";

// Folds one epoch's observations into the rows written for it (pure, so it is unit-tested).
export interface EdgeRow {
  /** Start of the minute or hour. */
  bucket: string;
  /** Deployment environment ("" when none, and in all-time counters, which are not kept per environment). */
  env: string;
  /** Configured extra dimensions as JSON text (see dimensions.ts): "{}" unless SERVICE_GRAPH_DIMENSIONS is set. */
  dims: string;
  source: string;
  target: string;
  connectionType: string;
  sourceType: string;
  targetType: string;
  broker: string | null;
  requests: number;
  failed: number;
  status4xx: number;
  throttled: number;
  rawSpans: number;
  rawFailed: number;
  clientHist: Histogram;
  serverHist: Histogram;
}

export interface ServiceRow {
  bucket: string;
  env: string;
  dims: string;
  service: string;
  operation: string;
  requests: number;
  failed: number;
  rawSpans: number;
  hist: Histogram;
}

export type QualityRow = { bucket: string; env: string; service: string } & Record<QualityCounter, number>;

/** "exemplar": the slowest call in each latency band, so any point on a latency chart has traces at or below it. */
export type ExampleCategory = "slowest" | "errors" | "typical" | "exemplar";
export interface ExampleRow {
  minute: string;
  source: string;
  target: string;
  connectionType: string;
  category: ExampleCategory;
  traceId: string;
  spanId: string;
  startNs: string;
  durationNs: string;
  failed: boolean;
  errorMessage: string | null;
}

/** Per edge and minute; for exemplars per band. */
export const EXAMPLE_LIMITS: Record<ExampleCategory, number> = { slowest: 3, errors: 10, typical: 1, exemplar: 1 };

/** Exemplar bands are powers of this factor (1 ms, 1.5 ms, 2.25 ms, ...): about 23 bands between 1 ms and 10 s. */
export const EXEMPLAR_BAND_FACTOR = 1.5;
export const exemplarBand = (ns: bigint) =>
  Math.floor(Math.log(Math.max(Number(ns), 1)) / Math.log(EXEMPLAR_BAND_FACTOR));

export interface Rollup {
  edges: EdgeRow[];
  services: ServiceRow[];
  quality: QualityRow[];
  examples: ExampleRow[];
}

const iso = (ms: number) => new Date(ms).toISOString();

const edgeKey = (
  bucket: string,
  env: string,
  dims: string,
  e: { source: string; target: string; connectionType: string },
): string =>
  `${bucket}\u0000${env}\u0000${dims}\u0000${clampName(e.source)}\u0000${clampName(e.target)}\u0000${e.connectionType}`;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** The latency an example is ranked by: what the caller waited, else what the server spent. */
export const exampleDuration = (e: EdgeObservation) => e.clientNs ?? e.serverNs ?? 0n;

/**
 * Sums observations into rows per `bucketMs` (a minute or an hour) and environment (all in one with `perEnv`
 * false); examples only for minutes, per edge whatever the environment.
 */
export function rollUp(obs: Observations, bucketMs = MINUTE_MS, perEnv = true): Rollup {
  const envOf = (o: { env: string }) => (perEnv ? o.env : "");
  // An epoch spans a few minutes: one ISO string per bucket, not one per observation (over a third of the roll-up's time).
  const isoOfBucket = new Map<number, string>();
  const bucketOf = (minuteMs: number) => {
    const start = Math.floor(minuteMs / bucketMs) * bucketMs;
    let s = isoOfBucket.get(start);
    if (s === undefined) isoOfBucket.set(start, (s = iso(start)));
    return s;
  };
  const edges = new Map<string, EdgeRow>();
  const byEdge = new Map<string, EdgeObservation[]>();
  for (const e of obs.edges) {
    const bucket = bucketOf(e.minuteMs);
    const env = envOf(e);
    const k = edgeKey(bucket, env, e.dims, e);
    let row = edges.get(k);
    if (!row) {
      row = {
        bucket,
        env,
        dims: e.dims,
        source: clampName(e.source),
        target: clampName(e.target),
        connectionType: e.connectionType,
        sourceType: e.sourceType,
        targetType: e.targetType,
        broker: e.broker,
        requests: 0,
        failed: 0,
        status4xx: 0,
        throttled: 0,
        rawSpans: 0,
        rawFailed: 0,
        clientHist: {},
        serverHist: {},
      };
      edges.set(k, row);
    }
    row.broker ??= e.broker;
    row.requests += e.weight;
    row.rawSpans += 1;
    if (e.failed) {
      row.failed += e.weight;
      row.rawFailed += 1;
    }
    if (e.status4xx) row.status4xx += e.weight;
    if (e.throttled) row.throttled += e.weight;
    if (e.clientNs !== null) addToHistogram(row.clientHist, Number(e.clientNs), e.weight);
    if (e.serverNs !== null) addToHistogram(row.serverHist, Number(e.serverNs), e.weight);
    const examplesKey = edgeKey(bucket, "", "", e);
    const list = byEdge.get(examplesKey);
    if (list) list.push(e);
    else byEdge.set(examplesKey, [e]);
  }

  const services = new Map<string, ServiceRow>();
  for (const s of obs.services) {
    const bucket = bucketOf(s.minuteMs);
    const env = envOf(s);
    const k = `${bucket}\u0000${env}\u0000${s.dims}\u0000${clampName(s.service)}\u0000${clampName(s.operation)}`;
    let row = services.get(k);
    if (!row) {
      row = {
        bucket,
        env,
        dims: s.dims,
        service: clampName(s.service),
        operation: clampName(s.operation),
        requests: 0,
        failed: 0,
        rawSpans: 0,
        hist: {},
      };
      services.set(k, row);
    }
    row.requests += s.weight;
    row.rawSpans += 1;
    if (s.failed) row.failed += s.weight;
    addToHistogram(row.hist, Number(s.durationNs), s.weight);
  }

  const quality = new Map<string, QualityRow>();
  for (const q of obs.quality) {
    const bucket = bucketOf(q.minuteMs);
    const env = envOf(q);
    const k = `${bucket}\u0000${env}\u0000${clampName(q.service)}`;
    let row = quality.get(k);
    if (!row) {
      row = {
        bucket,
        env,
        service: clampName(q.service),
        orphanSpans: 0,
        unpairedClientSpans: 0,
        unpairedServerSpans: 0,
        rootServerSpans: 0,
      };
      quality.set(k, row);
    }
    row[q.counter] += 1;
  }

  const examples = bucketMs === MINUTE_MS ? [...byEdge.values()].flatMap(exampleCandidates) : [];
  return { edges: sortedValues(edges), services: sortedValues(services), quality: sortedValues(quality), examples };
}

/**
 * Rows in key order: workers on different shards upsert the same rows, and taking row locks in one order
 * everywhere keeps them from deadlocking.
 */
function sortedValues<T>(rows: Map<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => ascending(a, b)).map(([, v]) => v);
}

/** Slowest few, failed ones up to the cap, and one near this batch's median; the store keeps the best overall. */
function exampleCandidates(list: EdgeObservation[]): ExampleRow[] {
  // Ties are broken exactly as the store ranks (trace id, span id; start times in microseconds), so every batch
  // offers the candidates the store would keep and the result does not depend on how spans were batched or sharded.
  const bySlowest = [...list].sort((a, b) => ascending(exampleDuration(b), exampleDuration(a)) || cmpIds(a, b));
  const median = bySlowest[Math.floor(bySlowest.length / 2)]!;
  const errors = list
    .filter((e) => e.failed)
    .sort((a, b) => ascending(a.startNs / 1000n, b.startNs / 1000n) || cmpIds(a, b));
  const bands = new Map<number, EdgeObservation>();
  for (const e of bySlowest) {
    const band = exemplarBand(exampleDuration(e));
    if (!bands.has(band)) bands.set(band, e);
  }
  return [
    ...bySlowest.slice(0, EXAMPLE_LIMITS.slowest).map((e) => example(e, "slowest")),
    ...errors.slice(0, EXAMPLE_LIMITS.errors).map((e) => example(e, "errors")),
    example(median, "typical"),
    ...[...bands.values()].map((e) => example(e, "exemplar")),
  ];
}

// Lower-case hex sorts like the bytes PostgreSQL compares.
const cmpIds = (a: EdgeObservation, b: EdgeObservation) =>
  ascending(a.traceId, b.traceId) || ascending(a.spanId, b.spanId);

function example(e: EdgeObservation, category: ExampleCategory): ExampleRow {
  return {
    minute: iso(e.minuteMs),
    source: clampName(e.source),
    target: clampName(e.target),
    connectionType: e.connectionType,
    category,
    traceId: e.traceId,
    spanId: e.spanId,
    startNs: e.startNs.toString(),
    durationNs: exampleDuration(e).toString(),
    failed: e.failed,
    errorMessage: e.errorMessage,
  };
}
