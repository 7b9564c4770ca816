-- Configured extra dimensions (SERVICE_GRAPH_DIMENSIONS, as in Tempo's service-graph processor) are part of the key
-- of edge and service roll-ups and of the all-time edge counters: '{}' unless configured, so rows keep their keys.
-- Edges hold client_<key> and server_<key>, services <key>.
ALTER TABLE "edge_minutes" ADD COLUMN "dims" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "edge_minutes" DROP CONSTRAINT "edge_minutes_pkey";
ALTER TABLE "edge_minutes" ADD CONSTRAINT "edge_minutes_pkey" PRIMARY KEY ("minute", "env", "source", "target", "connection_type", "dims");
ALTER TABLE "edge_hours" ADD COLUMN "dims" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "edge_hours" DROP CONSTRAINT "edge_hours_pkey";
ALTER TABLE "edge_hours" ADD CONSTRAINT "edge_hours_pkey" PRIMARY KEY ("hour", "env", "source", "target", "connection_type", "dims");
ALTER TABLE "service_minutes" ADD COLUMN "dims" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "service_minutes" DROP CONSTRAINT "service_minutes_pkey";
ALTER TABLE "service_minutes" ADD CONSTRAINT "service_minutes_pkey" PRIMARY KEY ("minute", "env", "service", "operation", "dims");
ALTER TABLE "service_hours" ADD COLUMN "dims" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "service_hours" DROP CONSTRAINT "service_hours_pkey";
ALTER TABLE "service_hours" ADD CONSTRAINT "service_hours_pkey" PRIMARY KEY ("hour", "env", "service", "operation", "dims");
ALTER TABLE "edge_counters" ADD COLUMN "dims" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "edge_counters" DROP CONSTRAINT "edge_counters_pkey";
ALTER TABLE "edge_counters" ADD CONSTRAINT "edge_counters_pkey" PRIMARY KEY ("source", "target", "connection_type", "dims");
