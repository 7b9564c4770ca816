-- The node types of each counted edge, so /metrics can label edges as Tempo does: roots (from "user") and
-- unpaired producers are virtual_node there, paired producer -> consumer edges messaging_system. Empty for rows
-- counted before this migration (then the connection type alone decides, as before).
ALTER TABLE "edge_counters" ADD COLUMN "source_type" TEXT NOT NULL DEFAULT '';
ALTER TABLE "edge_counters" ADD COLUMN "target_type" TEXT NOT NULL DEFAULT '';
