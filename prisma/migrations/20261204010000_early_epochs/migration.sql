-- Each shard's spans go through two passes: an early one as soon as an epoch's commits are all visible (complete
-- pairs, roots and service figures are on the map within a pass) and the final one once its pairing wait is over
-- (what needed the wait: virtual edges, unpaired and orphan counts). early_epoch is the early pass's progress; it
-- never trails processed_epoch (rows from before this migration had both passes done at once).
ALTER TABLE "aggregator_shards" ADD COLUMN "early_epoch" BIGINT NOT NULL DEFAULT 0;
UPDATE "aggregator_shards" SET "early_epoch" = "processed_epoch";
