-- The deployment environment (deployment.environment.name, formerly deployment.environment; '' when a span has
-- none) is part of every roll-up row's key, so each environment has its own map. Rows counted before keep ''.
ALTER TABLE "edge_minutes" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "edge_minutes" DROP CONSTRAINT "edge_minutes_pkey";
ALTER TABLE "edge_minutes" ADD CONSTRAINT "edge_minutes_pkey" PRIMARY KEY ("minute", "env", "source", "target", "connection_type");
ALTER TABLE "edge_hours" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "edge_hours" DROP CONSTRAINT "edge_hours_pkey";
ALTER TABLE "edge_hours" ADD CONSTRAINT "edge_hours_pkey" PRIMARY KEY ("hour", "env", "source", "target", "connection_type");
ALTER TABLE "service_minutes" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "service_minutes" DROP CONSTRAINT "service_minutes_pkey";
ALTER TABLE "service_minutes" ADD CONSTRAINT "service_minutes_pkey" PRIMARY KEY ("minute", "env", "service", "operation");
ALTER TABLE "service_hours" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "service_hours" DROP CONSTRAINT "service_hours_pkey";
ALTER TABLE "service_hours" ADD CONSTRAINT "service_hours_pkey" PRIMARY KEY ("hour", "env", "service", "operation");
ALTER TABLE "quality_minutes" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "quality_minutes" DROP CONSTRAINT "quality_minutes_pkey";
ALTER TABLE "quality_minutes" ADD CONSTRAINT "quality_minutes_pkey" PRIMARY KEY ("minute", "env", "service");
ALTER TABLE "quality_hours" ADD COLUMN "env" TEXT NOT NULL DEFAULT '';
ALTER TABLE "quality_hours" DROP CONSTRAINT "quality_hours_pkey";
ALTER TABLE "quality_hours" ADD CONSTRAINT "quality_hours_pkey" PRIMARY KEY ("hour", "env", "service");
