import type { SpanRecord } from "../model/span";
import { type AppError, unavailable } from "../errors";
import { withDeadline } from "../db/pool";

export interface SpanSink {
  insert(spans: SpanRecord[]): Promise<number>;
}

export interface WriteQueueOptions {
  maxQueuedSpans: number;
  maxBatchSpans: number;
  maxWaitMs: number;
  concurrency: number;
  retryAfterSeconds: number;
  /**
   * A write that neither commits nor fails within this time is given up (503: the exporter retries, and the
   * primary key makes a late commit harmless). Without it one wedged connection would stall the queue forever.
   */
  writeTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

interface Pending {
  spans: SpanRecord[];
  resolve: () => void;
  reject: (err: AppError) => void;
}

/**
 * Groups the spans of many requests into few COPY transactions. `write` resolves only after the spans are
 * committed, so a receiver can acknowledge with a clear conscience; it rejects with 503 when the queue is
 * full or the database write fails.
 */
export class WriteQueue {
  private pending: Pending[] = [];
  private queuedSpans = 0;
  private inFlight = 0;
  private inFlightSpans = 0;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly sink: SpanSink,
    private readonly opts: WriteQueueOptions,
  ) {}

  get depth(): number {
    return this.queuedSpans;
  }

  /**
   * Refuses new work while the queue is nearly full, before a request's body is even read: under overload the
   * collector should spend neither memory nor CPU on requests it would refuse after decoding.
   */
  admit(): void {
    if (this.closed) throw unavailable("collector is shutting down", this.opts.retryAfterSeconds);
    if (this.queuedSpans >= this.opts.maxQueuedSpans * 0.9)
      throw unavailable("write queue is full, retry later", this.opts.retryAfterSeconds);
  }

  write(spans: SpanRecord[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(unavailable("collector is shutting down", this.opts.retryAfterSeconds));
    if (this.queuedSpans + spans.length > this.opts.maxQueuedSpans) {
      return Promise.reject(unavailable("write queue is full, retry later", this.opts.retryAfterSeconds));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ spans, resolve, reject });
      this.queuedSpans += spans.length;
      this.schedule();
    });
  }

  /** Stops accepting writes and resolves once everything queued has been written (or failed). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.inFlight > 0) {
      this.drain();
      await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  private schedule(): void {
    const waiting = this.queuedSpans - this.inFlightSpans;
    if (waiting >= this.opts.maxBatchSpans || this.opts.maxWaitMs === 0) this.drain();
    else if (!this.timer) this.timer = setTimeout(() => this.drain(), this.opts.maxWaitMs);
  }

  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.pending.length > 0 && this.inFlight < this.opts.concurrency) {
      const batch: Pending[] = [];
      let count = 0;
      while (
        this.pending.length > 0 &&
        (batch.length === 0 || count + this.pending[0]!.spans.length <= this.opts.maxBatchSpans)
      ) {
        const p = this.pending.shift()!;
        batch.push(p);
        count += p.spans.length;
      }
      void this.flush(batch, count);
    }
  }

  private async flush(batch: Pending[], count: number): Promise<void> {
    this.inFlight++;
    this.inFlightSpans += count;
    try {
      await withDeadline(
        this.sink.insert(batch.flatMap((p) => p.spans)),
        this.opts.writeTimeoutMs ?? 30_000,
        "span write",
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      this.opts.onError?.(err);
      const failure = unavailable("database unavailable, spans not stored; retry later", this.opts.retryAfterSeconds);
      for (const p of batch) p.reject(failure);
    } finally {
      this.inFlight--;
      this.inFlightSpans -= count;
      this.queuedSpans -= count;
      if (this.pending.length > 0) this.drain();
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
