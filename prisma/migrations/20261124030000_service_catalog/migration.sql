-- What the aggregator has learned about each service from its spans' resources (the map groups by namespace).
CREATE TABLE "service_catalog" (
    "service" TEXT NOT NULL,
    "namespace" TEXT,
    "last_seen" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "service_catalog_pkey" PRIMARY KEY ("service")
);
