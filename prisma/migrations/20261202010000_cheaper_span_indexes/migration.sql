-- Index upkeep is most of what a span write costs PostgreSQL beyond the COPY itself. Spans arrive in about
-- start-time order, so a BRIN index answers time ranges (trace search, Jaeger reads) for a fraction of a
-- btree's write cost. Most spans have no links: only those that have one enter the GIN index (the pairing
-- query repeats the predicate so the planner can use it).
DROP INDEX "spans_start_time_idx";
CREATE INDEX "spans_start_time_idx" ON "spans" USING BRIN ("start_time");
DROP INDEX "spans_links_idx";
CREATE INDEX "spans_links_idx" ON "spans" USING GIN ("links" jsonb_path_ops) WHERE "links" <> '[]'::jsonb;
