import type { DecodedBatch } from "../model/span";
import { Registry } from "../metrics";

export type Protocol = "otlp_http" | "otlp_grpc" | "zipkin" | "xray" | "datadog";

/** The collector's own counters, served at GET /metrics on the OTLP/HTTP port. */
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly stored = this.registry.counter(
    "tracemap_ingest_spans_total",
    "Spans stored (acknowledged after commit), by protocol.",
  );
  private readonly rejected = this.registry.counter(
    "tracemap_rejected_spans_total",
    "Spans rejected individually (partial success), by reason.",
  );
  private readonly refused = this.registry.counter(
    "tracemap_refused_requests_total",
    "Requests refused as a whole, by protocol and HTTP status (gRPC maps to the same).",
  );
  private readonly backpressure = this.registry.counter(
    "tracemap_backpressure_total",
    "Requests answered 503 / UNAVAILABLE with Retry-After (queue full, database down, shutting down), by protocol.",
  );
  private readonly adjusted = this.registry.counter(
    "tracemap_adjusted_values_total",
    "Values changed to fit the limits (truncated, dropped, repaired text), by kind.",
  );
  readonly dbErrors = this.registry.counter(
    "tracemap_db_write_errors_total",
    "Span write transactions that failed (the requests got 503 and are retried by exporters).",
  );

  batch(protocol: Protocol, batch: DecodedBatch): void {
    this.stored.inc({ protocol }, batch.spans.length);
    for (const r of batch.rejected) this.rejected.inc({ reason: r.code });
    const a = batch.adjusted;
    if (!a) return;
    this.adjusted.inc({ kind: "truncated_value" }, a.truncatedValues);
    this.adjusted.inc({ kind: "dropped_attribute" }, a.droppedAttributes);
    this.adjusted.inc({ kind: "dropped_event_or_link" }, a.droppedEvents);
    this.adjusted.inc({ kind: "repaired_text" }, a.repairedText);
  }

  failed(protocol: Protocol, status: number): void {
    if (status === 503) this.backpressure.inc({ protocol });
    else this.refused.inc({ protocol, status: String(status) });
  }
}
