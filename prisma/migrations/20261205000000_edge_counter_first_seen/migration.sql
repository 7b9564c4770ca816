-- When each edge's counters began: /metrics keeps the first MAX_GRAPH_EDGES series by this order, so the set of
-- exported series never changes under a flood of new edges (a series that moved in and out of "other" would read as
-- counter resets). Edges counted before this column share one time and go by name.
ALTER TABLE "edge_counters" ADD COLUMN "first_seen" TIMESTAMPTZ(6) NOT NULL DEFAULT now();
