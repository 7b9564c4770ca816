-- Hourly roll-ups (written in the same transaction as the minute rows) for long windows and longer retention.
CREATE TABLE "edge_hours" (LIKE "edge_minutes" INCLUDING DEFAULTS);
ALTER TABLE "edge_hours" RENAME COLUMN "minute" TO "hour";
ALTER TABLE "edge_hours" ADD CONSTRAINT "edge_hours_pkey" PRIMARY KEY ("hour", "source", "target", "connection_type");

CREATE TABLE "service_hours" (LIKE "service_minutes" INCLUDING DEFAULTS);
ALTER TABLE "service_hours" RENAME COLUMN "minute" TO "hour";
ALTER TABLE "service_hours" ADD CONSTRAINT "service_hours_pkey" PRIMARY KEY ("hour", "service", "operation");

CREATE TABLE "quality_hours" (LIKE "quality_minutes" INCLUDING DEFAULTS);
ALTER TABLE "quality_hours" RENAME COLUMN "minute" TO "hour";
ALTER TABLE "quality_hours" ADD CONSTRAINT "quality_hours_pkey" PRIMARY KEY ("hour", "service");

-- Copies of the spans of example traces, so the examples stay openable after raw span partitions are dropped.
CREATE TABLE "example_spans" (
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
    "copied_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    CONSTRAINT "example_spans_pkey" PRIMARY KEY ("trace_id", "span_id", "kind", "start_time")
);

CREATE INDEX "edge_examples_trace_id_idx" ON "edge_examples" ("trace_id");
