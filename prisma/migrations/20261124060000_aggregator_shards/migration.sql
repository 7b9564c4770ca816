-- Aggregation is split into shards by a hash of the trace id (a parent and its child share a trace, so pairing
-- stays inside a shard). Each shard keeps its own progress, so workers process different shards of the same epoch
-- at once; shard_count is on every row so a worker with a stale idea of the count cannot process a shard with it.
CREATE TABLE "aggregator_shards" (
    "shard" SMALLINT NOT NULL,
    "shard_count" SMALLINT NOT NULL,
    "processed_epoch" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "aggregator_shards_pkey" PRIMARY KEY ("shard")
);
INSERT INTO "aggregator_shards" ("shard", "shard_count", "processed_epoch", "updated_at")
SELECT 0, 1, "processed_epoch", "updated_at" FROM "aggregator_progress" WHERE "id" = 1;
DROP TABLE "aggregator_progress";

-- Who works on which shard, until when. Kept apart from the progress rows: an epoch's transaction holds its
-- progress row locked for seconds, and renewing a lease must not wait for it. Exactness never depends on leases
-- (the progress row lock does that); leases only spread the shards over the live workers.
CREATE TABLE "aggregator_leases" (
    "shard" SMALLINT NOT NULL,
    "owner" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "aggregator_leases_pkey" PRIMARY KEY ("shard")
);

-- Live aggregator processes (heartbeats): each takes ceil(shards / live workers) leases.
CREATE TABLE "aggregator_workers" (
    "id" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "aggregator_workers_pkey" PRIMARY KEY ("id")
);
