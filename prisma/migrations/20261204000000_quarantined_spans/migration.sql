-- Stored spans the aggregator could not process (a value PostgreSQL or the roll-up refuses). Each is set aside with
-- the reason, and the epoch goes on without it: one bad span must never stop the map for everyone. The span itself
-- stays in "spans" (its trace still opens). Rows are few and kept: their count is a counter on /metrics.
CREATE TABLE "quarantined_spans" (
    "epoch" BIGINT NOT NULL,
    "shard" INTEGER NOT NULL,
    "trace_id" BYTEA NOT NULL,
    "span_id" BYTEA NOT NULL,
    "kind" SMALLINT NOT NULL,
    "service_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "quarantined_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    CONSTRAINT "quarantined_spans_pkey" PRIMARY KEY ("trace_id", "span_id", "kind", "epoch")
);
CREATE INDEX "quarantined_spans_quarantined_at_idx" ON "quarantined_spans" ("quarantined_at");
