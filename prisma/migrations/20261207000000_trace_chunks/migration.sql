-- Compacted spans (lib/db/compaction.ts): once rolled up and SPAN_COMPACT_AFTER_MINUTES old, the spans of each trace
-- within one minute's slice are moved out of "spans" into one row here, deflated together. Partitioned by day of
-- the first span's start, like spans, so retention drops whole days. Every span of a chunk starts within its slice,
-- so last_start < first_start + 1 minute and the window reads need only first_start's index.
CREATE TABLE "trace_chunks" (
    "trace_id" BYTEA NOT NULL,
    "first_start" TIMESTAMPTZ(6) NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "last_start" TIMESTAMPTZ(6) NOT NULL,
    "span_count" INTEGER NOT NULL,
    "has_error" BOOLEAN NOT NULL,
    "max_duration_ns" BIGINT NOT NULL,
    "services" TEXT[] NOT NULL,
    "payload" BYTEA NOT NULL,
    -- Spans per service, in the order of "services" (the trace page's services table counts them).
    "service_spans" INTEGER[] NOT NULL,
    -- A Bloom filter of the spans' attribute key=value pairs (lib/domain/chunk-bloom.ts): searches skip chunks.
    "attribute_filter" BYTEA NOT NULL,
    CONSTRAINT "trace_chunks_pkey" PRIMARY KEY ("trace_id", "first_start", "id")
) PARTITION BY RANGE ("first_start");
-- Already deflated: PostgreSQL's own compression would only spend time failing to shrink it.
ALTER TABLE "trace_chunks" ALTER COLUMN "payload" SET STORAGE EXTERNAL;
CREATE INDEX "trace_chunks_first_start_idx" ON "trace_chunks" USING BRIN ("first_start");

-- Span names (and kinds) of compacted spans per service, with the last start seen: Jaeger's service and operation
-- lists cover compacted spans without reading them.
CREATE TABLE "span_names" (
    "service" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" SMALLINT NOT NULL,
    "last_seen" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "span_names_pkey" PRIMARY KEY ("service", "name", "kind")
);

-- How far spans have been compacted, and the aggregated bound the late-span sweep has looked up to; one row.
CREATE TABLE "span_compaction" (
    "id" SMALLINT NOT NULL DEFAULT 1,
    "until" TIMESTAMPTZ(6) NOT NULL,
    "swept_xid" xid8,
    CONSTRAINT "span_compaction_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "span_compaction_one_row" CHECK ("id" = 1)
);
