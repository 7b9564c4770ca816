-- The histogram bucket scheme's version beside the buckets (lib/model/histogram.ts HISTOGRAM_SCHEME): every row
-- written so far used scheme 1 (log buckets of 2% from 1 µs).
ALTER TABLE "edge_minutes" ADD COLUMN "hist_scheme" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "edge_hours" ADD COLUMN "hist_scheme" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "service_minutes" ADD COLUMN "hist_scheme" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "service_hours" ADD COLUMN "hist_scheme" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "edge_counters" ADD COLUMN "hist_scheme" SMALLINT NOT NULL DEFAULT 1;
-- Part of the key: rows of two schemes never merge into one.
ALTER TABLE "edge_minutes" DROP CONSTRAINT "edge_minutes_pkey";
ALTER TABLE "edge_minutes" ADD CONSTRAINT "edge_minutes_pkey" PRIMARY KEY ("minute", "env", "source", "target", "connection_type", "dims", "hist_scheme");
ALTER TABLE "edge_hours" DROP CONSTRAINT "edge_hours_pkey";
ALTER TABLE "edge_hours" ADD CONSTRAINT "edge_hours_pkey" PRIMARY KEY ("hour", "env", "source", "target", "connection_type", "dims", "hist_scheme");
ALTER TABLE "service_minutes" DROP CONSTRAINT "service_minutes_pkey";
ALTER TABLE "service_minutes" ADD CONSTRAINT "service_minutes_pkey" PRIMARY KEY ("minute", "env", "service", "operation", "dims", "hist_scheme");
ALTER TABLE "service_hours" DROP CONSTRAINT "service_hours_pkey";
ALTER TABLE "service_hours" ADD CONSTRAINT "service_hours_pkey" PRIMARY KEY ("hour", "env", "service", "operation", "dims", "hist_scheme");
ALTER TABLE "edge_counters" DROP CONSTRAINT "edge_counters_pkey";
ALTER TABLE "edge_counters" ADD CONSTRAINT "edge_counters_pkey" PRIMARY KEY ("source", "target", "connection_type", "dims", "hist_scheme");
