-- Per-edge totals since the first span, never pruned: the monotonic counters behind GET /metrics (Tempo's
-- service-graph metric names). Roll-up tables lose rows to retention, so they cannot back a counter.
CREATE TABLE "edge_counters" (
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "connection_type" TEXT NOT NULL,
    "requests" DOUBLE PRECISION NOT NULL,
    "failed" DOUBLE PRECISION NOT NULL,
    "client_hist" JSONB NOT NULL,
    "server_hist" JSONB NOT NULL,
    CONSTRAINT "edge_counters_pkey" PRIMARY KEY ("source", "target", "connection_type")
);
