import { isHexSpanId, isHexTraceId } from "../model/ids";
import type { Queryable } from "./pool";

/** A stored span the aggregator set aside, and why. */
export interface QuarantinedSpan {
  epoch: number;
  shard: number;
  traceId: string;
  spanId: string;
  kind: number;
  service: string;
  name: string;
  reason: string;
}

// The span's own text may be what was refused: stored here repaired, so the record of the problem always fits.
const storable = (s: unknown, max = 512) =>
  String(s ?? "")
    .toWellFormed()
    .replaceAll("\u0000", "\uFFFD")
    .slice(0, max);

/** Records spans set aside in this epoch's transaction (so exactly once, with the epoch's progress). */
export async function quarantineSpans(tx: Queryable, spans: QuarantinedSpan[]): Promise<void> {
  if (spans.length === 0) return;
  const rows = spans.map((s) => ({
    epoch: s.epoch,
    shard: s.shard,
    traceId: isHexTraceId(s.traceId) ? s.traceId : "0".repeat(32),
    spanId: isHexSpanId(s.spanId) ? s.spanId : "0".repeat(16),
    kind: Number.isInteger(s.kind) && s.kind >= 0 && s.kind <= 5 ? s.kind : 0,
    service: storable(s.service),
    name: storable(s.name),
    reason: storable(s.reason, 2000),
  }));
  await tx.unsafe(
    `INSERT INTO quarantined_spans (epoch, shard, trace_id, span_id, kind, service_name, name, reason)
     SELECT epoch, shard, decode("traceId", 'hex'), decode("spanId", 'hex'), kind, service, name, reason
     FROM jsonb_to_recordset($1::text::jsonb) AS x(epoch bigint, shard int, "traceId" text, "spanId" text, kind smallint,
       service text, name text, reason text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** "traceId:spanId" of the quarantined spans among these traces (hex ids): left out of every later pairing. */
export async function quarantinedKeys(tx: Queryable, traceIds: string[]): Promise<Set<string>> {
  if (traceIds.length === 0) return new Set();
  const rows = await tx.unsafe<{ key: string }[]>(
    `SELECT encode(q.trace_id, 'hex') || ':' || encode(q.span_id, 'hex') AS key FROM quarantined_spans q
     WHERE q.trace_id IN (SELECT decode(t, 'hex') FROM unnest($1::text[]) t)`,
    [traceIds],
  );
  return new Set(rows.map((r) => r.key));
}

export interface QuarantineSummary {
  total: number;
  newest: (QuarantinedSpan & { at: Date }) | null;
}

/** How many spans were ever set aside, and the newest one: for /metrics and /readyz. */
export async function quarantineSummary(sql: Queryable): Promise<QuarantineSummary> {
  const [count] = await sql.unsafe<{ total: string }[]>(`SELECT count(*)::text AS total FROM quarantined_spans`);
  const [n] = await sql.unsafe<
    {
      epoch: string;
      shard: number;
      trace_id: string;
      span_id: string;
      kind: number;
      service_name: string;
      name: string;
      reason: string;
      quarantined_at: Date;
    }[]
  >(
    `SELECT epoch::text, shard, encode(trace_id, 'hex') AS trace_id, encode(span_id, 'hex') AS span_id, kind, service_name, name,
       reason, quarantined_at FROM quarantined_spans ORDER BY quarantined_at DESC LIMIT 1`,
  );
  return {
    total: Number(count?.total ?? 0),
    newest: n
      ? {
          epoch: Number(n.epoch),
          shard: n.shard,
          traceId: n.trace_id,
          spanId: n.span_id,
          kind: n.kind,
          service: n.service_name,
          name: n.name,
          reason: n.reason,
          at: n.quarantined_at,
        }
      : null,
  };
}
