-- Raw spans, partitioned by day of start time so retention drops whole partitions.
-- Partitions are created on demand by the collector (lib/db/partitions.ts).
CREATE TABLE "spans" (
    "trace_id" BYTEA NOT NULL,
    "span_id" BYTEA NOT NULL,
    "parent_span_id" BYTEA,
    "trace_state" TEXT,
    "service_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "start_time" TIMESTAMPTZ(6) NOT NULL,
    "start_ns" BIGINT NOT NULL,
    "duration_ns" BIGINT NOT NULL,
    "status_code" SMALLINT NOT NULL,
    "status_message" TEXT,
    "attributes" JSONB NOT NULL,
    "resource_attributes" JSONB NOT NULL,
    "scope_name" TEXT,
    "scope_version" TEXT,
    "events" JSONB NOT NULL,
    "links" JSONB NOT NULL,
    "ingested_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    -- The writing transaction's id: lets the aggregator wait for writers that commit out of order.
    "ingest_xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT "spans_trace_id_length" CHECK (octet_length("trace_id") = 16),
    CONSTRAINT "spans_span_id_length" CHECK (octet_length("span_id") = 8),
    -- A re-delivered span is the same row. Kind is part of the key because Zipkin "shared" spans give the
    -- client and server halves of one RPC the same span id; the partition key must be part of any unique key.
    CONSTRAINT "spans_pkey" PRIMARY KEY ("trace_id", "span_id", "kind", "start_time")
) PARTITION BY RANGE ("start_time");

CREATE INDEX "spans_service_name_start_time_idx" ON "spans" ("service_name", "start_time");
CREATE INDEX "spans_start_time_idx" ON "spans" ("start_time");
