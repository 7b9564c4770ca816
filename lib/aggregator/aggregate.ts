import type { AggSpan } from "../model/span";
import { observeEpoch, serviceNamespaces, serviceVersions, SpanIndex } from "../domain/pairing";
import { storedSpanProblem } from "../domain/span-checks";
import {
  bumpVersions,
  pairingContext,
  spansOfEpoch,
  writeEdgeCounters,
  writeRollup,
  writeServiceCatalog,
  writeServiceVersions,
} from "../db/aggregation-store";
import { getEpoch, isClosed, recordEpoch, windowEnds, windowOf } from "../db/epochs";
import { isDataError, type Queryable, type Sql, type TransactionSql } from "../db/pool";
import { quarantinedKeys, quarantineSpans, type QuarantinedSpan } from "../db/quarantine";
import { advanceShard, advanceShardEarly, lockShard, shardProgress } from "../db/shards";
import { levellingLimit } from "../domain/shard-leases";
import { HOUR_MS, MINUTE_MS, rollUp } from "../domain/rollup";
import { graphSettings } from "../config-graph";

/** One bucket for all time: per-edge totals for the counters. */
const ALL_TIME_MS = 2 ** 52;

export interface AggregateOptions {
  /** How long after a span's commit its partners may still arrive and pair. */
  waitMs: number;
  /** Minimum time between two epochs. */
  epochIntervalMs: number;
}

/** Records an epoch if due, then processes every shard up to the last epoch whose wait window has closed. */
export async function aggregateOnce(sql: Sql, opts: AggregateOptions): Promise<number> {
  await recordEpoch(sql, opts.epochIntervalMs);
  const shards = await shardProgress(sql);
  return processShards(
    sql,
    shards.map((s) => s.shard),
    opts.waitMs,
    levellingLimit(shards, shards.length),
  );
}

/**
 * Processes the given shards epoch by epoch, round robin, until none can go further (or past `upTo`, while
 * shards level for a resize). Returns the number of (shard, epoch) steps done.
 */
export async function processShards(
  sql: Sql,
  shards: number[],
  waitMs: number,
  upTo: number | null,
  keepGoing = () => true,
  beforeRound: () => Promise<void> = async () => {},
): Promise<number> {
  let processed = 0;
  let active = [...shards];
  while (active.length > 0 && keepGoing()) {
    await beforeRound();
    const next: number[] = [];
    for (const shard of active) {
      if (await processNextEpoch(sql, waitMs, shard, upTo)) {
        processed++;
        next.push(shard);
      }
    }
    active = next;
  }
  return processed;
}

const logToStderr = (m: string) => console.error(`[aggregator] ${m}`);

/**
 * One pass over one epoch of one shard, in one transaction: the early pass of the next epoch whose commits are all
 * visible, else the final pass of the oldest epoch whose wait window has closed. Early passes go first: they are
 * what keeps the map current, while a final pass only settles what waited anyway. Returns whether it did one.
 */
export async function processNextEpoch(
  sql: Sql,
  waitMs: number,
  shard = 0,
  upTo: number | null = null,
  log = logToStderr,
): Promise<boolean> {
  return (
    (await runPass(sql, "early", waitMs, shard, upTo, log)) || (await runPass(sql, "final", waitMs, shard, upTo, log))
  );
}

/**
 * The shard's progress row is locked (so workers never process the same shard, epoch and pass twice, whoever holds
 * the lease), the shard's spans of the epoch are paired against everything committed up to the epoch (early) or
 * within its wait window (final), the roll-up is added and progress advances, all committed together or not at
 * all. Roll-up rows are sums, so shards and passes add into the same rows without coordinating.
 * A span the roll-up cannot use is quarantined (recorded with its reason, logged) and the epoch goes on without it.
 */
async function runPass(
  sql: Sql,
  phase: "early" | "final",
  waitMs: number,
  shard: number,
  upTo: number | null,
  log: (m: string) => void,
): Promise<boolean> {
  let setAside: QuarantinedSpan[] = [];
  const done = await sql.begin(async (tx) => {
    setAside = [];
    const progress = await lockShard(tx, shard);
    if (!progress) return false; // another worker is on it, or the shards were just resized
    const e = (phase === "final" ? progress.processedEpoch : progress.earlyEpoch) + 1;
    if (upTo !== null && e > upTo) return false;
    if (phase === "final" && progress.earlyEpoch < e) return false; // the early pass comes first
    const epoch = await getEpoch(tx, e);
    if (!epoch) return false;
    let windowLast = e;
    let upper = epoch.xidBound;
    if (phase === "final") {
      const window = await windowOf(tx, e, waitMs);
      if (!window.ready) return false;
      windowLast = window.end;
      upper = (await getEpoch(tx, window.end))!.xidBound;
    }
    // Every transaction that wrote into what is read must be over, or a late commit could be missed.
    if (!(await isClosed(tx, upper))) return false;

    const lower = e === 1 ? 0n : (await getEpoch(tx, e - 1))!.xidBound;
    const bounds = { epoch: e, lower, upper: epoch.xidBound, shard, count: progress.shardCount };
    const quarantine = (s: AggSpan, reason: string) =>
      setAside.push({
        epoch: e,
        shard,
        traceId: s.traceId,
        spanId: s.spanId,
        kind: s.kind,
        service: s.serviceName,
        name: s.name,
        reason,
      });
    const stored = await spansOfEpoch(tx, bounds);
    const known = await quarantinedKeys(tx, [...new Set(stored.map((s) => s.traceId))]);
    const usable = (s: AggSpan) => !known.has(`${s.traceId}:${s.spanId}`) && storedSpanProblem(s) === null;
    const batch = stored.filter((s) => {
      const problem = storedSpanProblem(s);
      // Set aside once, by the early pass; the final pass leaves the same spans out.
      if (problem && phase === "early") quarantine(s, problem);
      return problem === null && !known.has(`${s.traceId}:${s.spanId}`);
    });
    if (batch.length > 0) {
      // Spans of other epochs that their own pass sets aside are no partners here either.
      const partners = (await pairingContext(tx, batch, bounds, upper)).filter(usable);
      const context = [...batch, ...partners];
      const earlier = [...new Set(context.map((s) => s.epoch).filter((x) => x < e))];
      const ends = await windowEnds(tx, earlier, waitMs);
      const windowEnd = (x: number) => {
        if (x === e) return windowLast;
        const found = ends.get(x);
        if (found === undefined) throw new Error(`no window for epoch ${x}`);
        return found;
      };
      const index = new SpanIndex(context);
      await writeIsolating(
        tx,
        batch,
        (q, part) => writeEpochPart(q, observeEpoch(part, index, windowEnd, phase, graphSettings()), part, phase),
        quarantine,
      );
    }
    await quarantineSpans(tx, setAside);
    if (phase === "final") await advanceShard(tx, shard, e);
    else await advanceShardEarly(tx, shard, e);
    return true;
  });
  for (const q of setAside) {
    log(
      `quarantined span ${q.spanId} of trace ${q.traceId} (service ${JSON.stringify(q.service)}, epoch ${q.epoch}, shard ${q.shard}): ${q.reason}`,
    );
  }
  return done;
}

/** The roll-up of (part of) an epoch's spans: observations are per span, so parts add up to the whole. */
async function writeEpochPart(
  tx: Queryable,
  observations: ReturnType<typeof observeEpoch>,
  part: AggSpan[],
  phase: "early" | "final",
): Promise<void> {
  // Minute and hour rows in the same transaction: both are exact, whatever happens.
  const minutely = rollUp(observations, MINUTE_MS);
  await writeRollup(tx, minutely, "minute");
  const hourly = rollUp(observations, HOUR_MS);
  await writeRollup(tx, hourly, "hour");
  await writeEdgeCounters(tx, rollUp(observations, ALL_TIME_MS, false)); // Tempo's series have no environment
  // Namespaces and versions are known from the span alone: taken once, as early as possible.
  if (phase === "early") {
    await writeServiceCatalog(tx, serviceNamespaces(part));
    await writeServiceVersions(tx, serviceVersions(part));
  }
  await bumpVersions(tx, minutely, hourly);
}

/**
 * Writes the spans' roll-up under a savepoint. When the data itself is refused (a value the checks did not foresee),
 * the spans are halved until the ones that fail are found alone; those are quarantined and the rest is written.
 * Errors of the database's state (connection, deadlock) end the epoch's transaction as before, to be retried.
 */
async function writeIsolating(
  tx: TransactionSql,
  spans: AggSpan[],
  write: (q: Queryable, part: AggSpan[]) => Promise<void>,
  quarantine: (s: AggSpan, reason: string) => void,
): Promise<void> {
  try {
    await tx.savepoint((sp) => write(sp, spans));
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (spans.length === 1) return void quarantine(spans[0]!, `roll-up refused it: ${(err as Error).message}`);
    const mid = spans.length >> 1;
    await writeIsolating(tx, spans.slice(0, mid), write, quarantine);
    await writeIsolating(tx, spans.slice(mid), write, quarantine);
  }
}
