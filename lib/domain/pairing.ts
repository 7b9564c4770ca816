import type { AggSpan } from "../model/span";
import { SpanKind, StatusCode, type Attributes } from "../model/span";
import { ownAdjustedCount } from "./sampling";
import { clampName } from "./span-checks";
import { brokerOf, virtualNodeOf, type NodeType } from "./virtual-node";
import { environmentOf, nodeInEnvironment } from "./environment";
import {
  defaultGraphSettings,
  edgeDimensions,
  serviceDimensions,
  type DimensionsText,
  type GraphSettings,
} from "./dimensions";

export type ConnectionType = "rpc" | "messaging" | "database" | "virtual";

export interface EdgeObservation {
  minuteMs: number;
  /** The caller's deployment environment (the callee's for calls from outside): see environment.ts. */
  env: string;
  /** Configured extra dimensions, client_<key> and server_<key> (see dimensions.ts). */
  dims: DimensionsText;
  source: string;
  sourceType: NodeType;
  target: string;
  targetType: NodeType;
  connectionType: ConnectionType;
  broker: string | null;
  weight: number;
  failed: boolean;
  status4xx: boolean;
  throttled: boolean;
  clientNs: bigint | null;
  serverNs: bigint | null;
  /** The span an example trace link points at: the client side when there is one. */
  traceId: string;
  spanId: string;
  startNs: bigint;
  errorMessage: string | null;
}

export interface ServiceObservation {
  minuteMs: number;
  env: string;
  dims: DimensionsText;
  service: string;
  operation: string;
  weight: number;
  failed: boolean;
  durationNs: bigint;
}

export type QualityCounter = "orphanSpans" | "unpairedClientSpans" | "unpairedServerSpans" | "rootServerSpans";
export interface QualityObservation {
  minuteMs: number;
  env: string;
  service: string;
  counter: QualityCounter;
}

export interface Observations {
  edges: EdgeObservation[];
  services: ServiceObservation[];
  quality: QualityObservation[];
}

/** Every span visible to one epoch's pass, indexed for the lookups pairing needs. */
export class SpanIndex {
  private readonly byId = new Map<string, AggSpan[]>();
  private readonly byParent = new Map<string, AggSpan[]>();
  private readonly byLink = new Map<string, AggSpan[]>();
  private readonly counts = new Map<AggSpan, { weight: number; settledAt: number }>();

  constructor(spans: Iterable<AggSpan>) {
    for (const s of spans) {
      push(this.byId, key(s.traceId, s.spanId), s);
      if (s.parentSpanId) push(this.byParent, key(s.traceId, s.parentSpanId), s);
      for (const l of s.links) push(this.byLink, key(l.traceId, l.spanId), s);
    }
  }
  spans(traceId: string, spanId: string): AggSpan[] {
    return this.byId.get(key(traceId, spanId)) ?? [];
  }
  children(s: AggSpan): AggSpan[] {
    return this.byParent.get(key(s.traceId, s.spanId)) ?? [];
  }
  linkedFrom(s: AggSpan): AggSpan[] {
    return this.byLink.get(key(s.traceId, s.spanId)) ?? [];
  }

  /**
   * How many real calls a span stands for, and the newest epoch that answer depends on. Sampling is decided per
   * trace (consistent probability sampling), so a span without sampling information of its own (Zipkin carries no
   * tracestate) takes its nearest ancestor's. A chain that breaks at a missing parent gives 1 and is never settled
   * before the wait: the parent may still come.
   */
  weightOf(s: AggSpan): { weight: number; settledAt: number } {
    let w = this.counts.get(s);
    if (w === undefined) {
      w = { weight: 1, settledAt: Number.POSITIVE_INFINITY };
      let newest = 0;
      let cur: AggSpan | undefined = s;
      for (let depth = 0; cur && depth < 64; depth++) {
        newest = Math.max(newest, cur.epoch);
        const own = ownAdjustedCount(cur.traceState, samplingAttributes(cur), cur.resourceAttributes);
        if (own !== null || !cur.parentSpanId) {
          w = { weight: own ?? 1, settledAt: newest };
          break;
        }
        cur = this.spans(cur.traceId, cur.parentSpanId)[0];
      }
      this.counts.set(s, w);
    }
    return w;
  }
}

const key = (traceId: string, spanId: string) => `${traceId}:${spanId}`;
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const MINUTE_NS = 60_000_000_000n;
export const minuteOf = (startNs: bigint) => Number((startNs / MINUTE_NS) * 60_000n);
/** Whether the span may have this attribute: false only when its stored text shows it cannot (no parse needed). */
const mayHave = (s: AggSpan, key: string) => s.attributesText === undefined || s.attributesText.includes(`"${key}"`);
const isShared = (s: AggSpan) => mayHave(s, "zipkin.shared") && s.attributes["zipkin.shared"] === true;
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
/** The attributes sampling may read, without parsing them when the text shows none of its keys. */
const samplingAttributes = (s: AggSpan) =>
  mayHave(s, "sampling.adjusted_count") || mayHave(s, "SampleRate") ? s.attributes : NO_ATTRIBUTES;

/**
 * What a pass emits. "early" runs as soon as the epoch's commits are all visible, against the spans committed up to
 * it: pairs whose both sides are stored, roots and service figures, so a complete call is on the map at once.
 * "final" runs when the epoch's wait window has closed: only what needed the wait (virtual edges of callers whose
 * callee never came, unpaired and orphan counts). "all" is both at once. early + final == all, span by span.
 */
export type Phase = "early" | "final" | "all";

/**
 * Pairing rules for the spans of one epoch. `index` holds every span committed up to the end of this epoch's
 * wait window (for "early": up to the epoch itself); `windowEnd(e)` is the last epoch that still pairs with epoch e.
 * A pair is counted once, by the side committed in the later epoch (the server side on a tie), so the result never
 * depends on how epochs were batched, restarted or shared between workers.
 */
export function observeEpoch(
  batch: AggSpan[],
  index: SpanIndex,
  windowEnd: (epoch: number) => number,
  phase: Phase = "all",
  graph: GraphSettings = defaultGraphSettings,
): Observations {
  const out: Observations = { edges: [], services: [], quality: [] };
  const pairs = (a: AggSpan, b: AggSpan) => Math.max(a.epoch, b.epoch) <= windowEnd(Math.min(a.epoch, b.epoch));
  const final = phase !== "early";
  // What the early pass counts, it counts only when the weight it uses is settled by spans committed up to the
  // epoch; the rest is counted by the final pass. Either way each observation is made exactly once.
  const now = (weighed: AggSpan, epoch: number) =>
    phase === "all" || (phase === "early") === index.weightOf(weighed).settledAt <= epoch;
  const ctx: Pass = { index, pairs, out, now, final, graph };

  for (const s of batch) {
    const minuteMs = minuteOf(s.startNs);
    if (final && s.parentSpanId && index.spans(s.traceId, s.parentSpanId).length === 0) {
      out.quality.push(qualityOf(s, minuteMs, "orphanSpans"));
    }
    if (s.kind === SpanKind.SERVER || s.kind === SpanKind.CONSUMER) {
      observeCallee(s, ctx);
      if (now(s, s.epoch)) out.services.push(...serviceObservations(s, minuteMs, index.weightOf(s).weight, graph));
    } else if (s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER) {
      observeCaller(s, ctx);
    }
  }
  return out;
}

interface Pass {
  index: SpanIndex;
  pairs: (a: AggSpan, b: AggSpan) => boolean;
  out: Observations;
  /** Whether this pass makes an observation weighed by `weighed` for a span of `epoch` (early or final). */
  now: (weighed: AggSpan, epoch: number) => boolean;
  /** Whether this pass decides what needed the wait. */
  final: boolean;
  graph: GraphSettings;
}

function callersOf(callee: AggSpan, index: SpanIndex): AggSpan[] {
  const callerKind = callee.kind === SpanKind.SERVER ? SpanKind.CLIENT : SpanKind.PRODUCER;
  const viaParent = callee.parentSpanId ? index.spans(callee.traceId, callee.parentSpanId) : [];
  const viaShared = isShared(callee) ? index.spans(callee.traceId, callee.spanId) : [];
  const viaLinks =
    callee.kind === SpanKind.CONSUMER ? callee.links.flatMap((l) => index.spans(l.traceId, l.spanId)) : [];
  return unique([...viaParent, ...viaShared, ...viaLinks].filter((c) => c.kind === callerKind && c !== callee));
}

function calleesOf(caller: AggSpan, index: SpanIndex): AggSpan[] {
  const calleeKind = caller.kind === SpanKind.CLIENT ? SpanKind.SERVER : SpanKind.CONSUMER;
  const viaParent = index.children(caller);
  const viaShared = index.spans(caller.traceId, caller.spanId).filter(isShared);
  const viaLinks = caller.kind === SpanKind.PRODUCER ? index.linkedFrom(caller) : [];
  return unique([...viaParent, ...viaShared, ...viaLinks].filter((c) => c.kind === calleeKind && c !== caller));
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

function observeCallee(s: AggSpan, { index, pairs, out, now, final, graph }: Pass): void {
  const callers = callersOf(s, index).filter((c) => pairs(c, s));
  // Counted here when the caller was committed no later than this span (so it is visible to the early pass);
  // otherwise the caller counts it.
  for (const c of callers) if (c.epoch <= s.epoch && now(c, s.epoch)) out.edges.push(pairedEdge(c, s, index, graph));
  if (callers.length > 0) return;
  const isRoot = !s.parentSpanId && (s.kind !== SpanKind.CONSUMER || s.links.length === 0);
  // A root is settled at once, unless a Zipkin shared caller (same span id) may still arrive within the wait.
  if (isRoot && (isShared(s) ? final : now(s, s.epoch))) {
    out.edges.push(userEdge(s, index, graph));
    out.quality.push(qualityOf(s, minuteOf(s.startNs), "rootServerSpans"));
  } else if (
    !isRoot &&
    final &&
    (s.parentSpanId ? index.spans(s.traceId, s.parentSpanId).length > 0 : s.links.length > 0)
  ) {
    out.quality.push(qualityOf(s, minuteOf(s.startNs), "unpairedServerSpans"));
  }
}

function observeCaller(s: AggSpan, { index, pairs, out, now, final, graph }: Pass): void {
  const callees = calleesOf(s, index).filter((c) => pairs(s, c));
  for (const c of callees) if (c.epoch < s.epoch && now(s, s.epoch)) out.edges.push(pairedEdge(s, c, index, graph));
  if (callees.length > 0 || !final) return;
  const edge = virtualEdge(s, index, graph);
  out.edges.push(edge);
  // A call to a named external API is expected to be unpaired; one to a nameless peer is worth a look.
  if (edge.targetType === "unknown") {
    out.quality.push(qualityOf(s, edge.minuteMs, "unpairedClientSpans"));
  }
}

function pairedEdge(caller: AggSpan, callee: AggSpan, index: SpanIndex, graph: GraphSettings): EdgeObservation {
  const messaging = caller.kind === SpanKind.PRODUCER;
  const outcome = outcomeOf([callee, caller]);
  const env = environmentOf(caller.resourceAttributes);
  return {
    minuteMs: minuteOf(caller.startNs),
    env,
    dims: edgeDimensions(graph.dimensions, caller, callee),
    source: caller.serviceName,
    sourceType: "service",
    target: nodeInEnvironment(callee.serviceName, environmentOf(callee.resourceAttributes), env),
    targetType: "service",
    connectionType: messaging ? "messaging" : "rpc",
    broker: messaging ? (brokerOf(caller.attributes) ?? brokerOf(callee.attributes)) : null,
    weight: index.weightOf(caller).weight,
    ...outcome,
    clientNs: caller.durationNs,
    serverNs: callee.durationNs,
    traceId: caller.traceId,
    spanId: caller.spanId,
    startNs: caller.startNs,
  };
}

function userEdge(s: AggSpan, index: SpanIndex, graph: GraphSettings): EdgeObservation {
  const peer =
    typeof s.attributes["peer.service"] === "string" && s.attributes["peer.service"]
      ? (s.attributes["peer.service"] as string)
      : null;
  return {
    minuteMs: minuteOf(s.startNs),
    env: environmentOf(s.resourceAttributes),
    dims: edgeDimensions(graph.dimensions, null, s),
    source: peer ?? "user",
    sourceType: peer ? "external" : "user",
    target: s.serviceName,
    targetType: "service",
    connectionType: s.kind === SpanKind.CONSUMER ? "messaging" : "rpc",
    broker: s.kind === SpanKind.CONSUMER ? brokerOf(s.attributes) : null,
    weight: index.weightOf(s).weight,
    ...outcomeOf([s]),
    clientNs: null,
    serverNs: s.durationNs,
    traceId: s.traceId,
    spanId: s.spanId,
    startNs: s.startNs,
  };
}

function virtualEdge(s: AggSpan, index: SpanIndex, graph: GraphSettings): EdgeObservation {
  const node = virtualNodeOf(s.attributes, graph);
  const messaging = s.kind === SpanKind.PRODUCER || node.type === "messaging";
  return {
    minuteMs: minuteOf(s.startNs),
    env: environmentOf(s.resourceAttributes),
    dims: edgeDimensions(graph.dimensions, s, null),
    source: s.serviceName,
    sourceType: "service",
    target: node.name,
    targetType: s.kind === SpanKind.PRODUCER && node.type !== "unknown" ? "messaging" : node.type,
    connectionType: node.type === "database" ? "database" : messaging ? "messaging" : "virtual",
    broker: messaging ? brokerOf(s.attributes) : null,
    weight: index.weightOf(s).weight,
    ...outcomeOf([s]),
    clientNs: s.durationNs,
    serverNs: null,
    traceId: s.traceId,
    spanId: s.spanId,
    startNs: s.startNs,
  };
}

function httpStatus(a: Attributes): number | null {
  const v = Number(a["http.response.status_code"] ?? a["http.status_code"]);
  return Number.isInteger(v) && v > 0 ? v : null;
}

/** Failed: status ERROR on any side; with status unset, HTTP 5xx or a non-OK gRPC code. */
export function outcomeOf(sides: AggSpan[]): {
  failed: boolean;
  status4xx: boolean;
  throttled: boolean;
  errorMessage: string | null;
} {
  let failed = false;
  let status4xx = false;
  let throttled = false;
  let errorMessage: string | null = null;
  for (const s of sides) {
    const attrs =
      mayHave(s, "http.response.status_code") || mayHave(s, "http.status_code") || mayHave(s, "rpc.grpc.status_code")
        ? s.attributes
        : NO_ATTRIBUTES;
    const http = httpStatus(attrs);
    const grpcCode = attrs["rpc.grpc.status_code"];
    const grpc = grpcCode === undefined || grpcCode === null ? null : Number(grpcCode);
    const error =
      s.statusCode === StatusCode.ERROR ||
      (s.statusCode === StatusCode.UNSET && ((http !== null && http >= 500) || (grpc !== null && grpc !== 0)));
    if (error && !failed)
      errorMessage = s.statusMessage || (http ? `HTTP ${http}` : grpc ? `gRPC status ${grpc}` : null);
    failed ||= error;
    status4xx ||= http !== null && http >= 400 && http < 500;
    throttled ||= http === 429 || grpc === 8;
  }
  return { failed, status4xx, throttled, errorMessage };
}

const qualityOf = (s: AggSpan, minuteMs: number, counter: QualityCounter): QualityObservation => ({
  minuteMs,
  env: environmentOf(s.resourceAttributes),
  service: s.serviceName,
  counter,
});

function serviceObservations(s: AggSpan, minuteMs: number, weight: number, graph: GraphSettings): ServiceObservation[] {
  const base = {
    minuteMs,
    env: environmentOf(s.resourceAttributes),
    dims: serviceDimensions(graph.dimensions, s),
    service: s.serviceName,
    weight,
    failed: outcomeOf([s]).failed,
    durationNs: s.durationNs,
  };
  return [
    { ...base, operation: "" },
    { ...base, operation: s.name },
  ];
}

/** service -> service.namespace (or null) as the batch's resources declare it; the latest span wins. */
export function serviceNamespaces(
  batch: AggSpan[],
): { service: string; namespace: string | null; lastSeenMs: number }[] {
  const out = new Map<string, { service: string; namespace: string | null; lastSeenMs: number }>();
  for (const s of batch) {
    const ns = s.resourceAttributes["service.namespace"];
    const seen = Number(s.startNs / 1_000_000n);
    const service = clampName(s.serviceName);
    const prev = out.get(service);
    if (!prev || seen >= prev.lastSeenMs) {
      out.set(service, {
        service,
        namespace: typeof ns === "string" && ns ? ns : (prev?.namespace ?? null),
        lastSeenMs: seen,
      });
    }
  }
  return [...out.values()];
}

export interface ServiceVersionSeen {
  service: string;
  version: string;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** The service.version values in a batch, with the span start times they were first and last seen at. */
export function serviceVersions(batch: AggSpan[]): ServiceVersionSeen[] {
  const out = new Map<string, ServiceVersionSeen>();
  for (const s of batch) {
    const raw = s.resourceAttributes["service.version"];
    if (typeof raw !== "string" || !raw) continue;
    const [service, v] = [clampName(s.serviceName), clampName(raw)];
    const seen = Number(s.startNs / 1_000_000n);
    const key = `${service}\u0000${v}`;
    const prev = out.get(key);
    if (!prev) out.set(key, { service, version: v, firstSeenMs: seen, lastSeenMs: seen });
    else {
      prev.firstSeenMs = Math.min(prev.firstSeenMs, seen);
      prev.lastSeenMs = Math.max(prev.lastSeenMs, seen);
    }
  }
  return [...out.values()];
}
