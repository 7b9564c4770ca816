-- Traces someone chose to keep ("Keep" on the trace page): their spans are copied into example_spans, which
-- retention leaves alone while the trace is pinned, so a link shared during an incident outlives raw-span retention.
CREATE TABLE "pinned_traces" (
    "trace_id" BYTEA NOT NULL,
    "pinned_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "pinned_by" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "pinned_traces_pkey" PRIMARY KEY ("trace_id")
);
