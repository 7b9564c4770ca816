-- Aggregator state and roll-ups. See lib/aggregator/README.md for how epochs make processing exact.

-- Every span belongs to the first ingest epoch whose xid_bound is above its ingest_xid.
CREATE INDEX "spans_ingest_xid_idx" ON "spans" ("ingest_xid");
-- Consumers that point at producers of other traces through span links.
CREATE INDEX "spans_links_idx" ON "spans" USING GIN ("links" jsonb_path_ops);

CREATE TABLE "ingest_epochs" (
    "epoch" BIGINT NOT NULL,
    -- All transactions with an id below xid_bound had started when the epoch was recorded.
    "xid_bound" xid8 NOT NULL,
    "recorded_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "ingest_epochs_pkey" PRIMARY KEY ("epoch")
);
CREATE INDEX "ingest_epochs_xid_bound_idx" ON "ingest_epochs" ("xid_bound");
CREATE INDEX "ingest_epochs_recorded_at_idx" ON "ingest_epochs" ("recorded_at");

CREATE TABLE "aggregator_progress" (
    "id" SMALLINT NOT NULL,
    "processed_epoch" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "aggregator_progress_pkey" PRIMARY KEY ("id")
);
INSERT INTO "aggregator_progress" ("id", "processed_epoch", "updated_at") VALUES (1, 0, now());

CREATE TABLE "edge_minutes" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "connection_type" TEXT NOT NULL,
    "source_type" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "broker" TEXT,
    "requests" DOUBLE PRECISION NOT NULL,
    "failed" DOUBLE PRECISION NOT NULL,
    "status_4xx" DOUBLE PRECISION NOT NULL,
    "throttled" DOUBLE PRECISION NOT NULL,
    "raw_spans" BIGINT NOT NULL,
    "raw_failed" BIGINT NOT NULL,
    "client_hist" JSONB NOT NULL,
    "server_hist" JSONB NOT NULL,
    CONSTRAINT "edge_minutes_pkey" PRIMARY KEY ("minute", "source", "target", "connection_type")
);

CREATE TABLE "service_minutes" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "service" TEXT NOT NULL,
    -- '' for the whole service, else one span name.
    "operation" TEXT NOT NULL,
    "requests" DOUBLE PRECISION NOT NULL,
    "failed" DOUBLE PRECISION NOT NULL,
    "raw_spans" BIGINT NOT NULL,
    "hist" JSONB NOT NULL,
    CONSTRAINT "service_minutes_pkey" PRIMARY KEY ("minute", "service", "operation")
);

CREATE TABLE "quality_minutes" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "service" TEXT NOT NULL,
    "orphan_spans" BIGINT NOT NULL,
    "unpaired_client_spans" BIGINT NOT NULL,
    "unpaired_server_spans" BIGINT NOT NULL,
    "root_server_spans" BIGINT NOT NULL,
    CONSTRAINT "quality_minutes_pkey" PRIMARY KEY ("minute", "service")
);

CREATE TABLE "edge_examples" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "connection_type" TEXT NOT NULL,
    -- slowest | errors | typical
    "category" TEXT NOT NULL,
    "trace_id" BYTEA NOT NULL,
    "span_id" BYTEA NOT NULL,
    "start_time" TIMESTAMPTZ(6) NOT NULL,
    "duration_ns" BIGINT NOT NULL,
    "failed" BOOLEAN NOT NULL,
    "error_message" TEXT,
    CONSTRAINT "edge_examples_pkey" PRIMARY KEY ("minute", "source", "target", "connection_type", "category", "trace_id", "span_id")
);

-- Histograms are sparse {bucket: weight} maps; merging is adding weights bucket by bucket.
CREATE FUNCTION "tracemap_hist_merge"(a JSONB, b JSONB) RETURNS JSONB
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(k, w), '{}'::jsonb)
  FROM (
    SELECT k, sum(v::float8) AS w
    FROM (SELECT * FROM jsonb_each_text(coalesce(a, '{}'::jsonb)) UNION ALL SELECT * FROM jsonb_each_text(coalesce(b, '{}'::jsonb))) AS t(k, v)
    GROUP BY k
  ) AS merged
$$;

CREATE AGGREGATE "tracemap_hist_sum"(JSONB) (
    SFUNC = "tracemap_hist_merge",
    STYPE = JSONB,
    INITCOND = '{}'
);
