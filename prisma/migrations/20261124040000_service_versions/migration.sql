-- Every service.version a service has reported and when it was first and last seen: deploy markers on charts.
CREATE TABLE "service_versions" (
    "service" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "first_seen" TIMESTAMPTZ(6) NOT NULL,
    "last_seen" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "service_versions_pkey" PRIMARY KEY ("service", "version")
);

CREATE INDEX "service_versions_first_seen_idx" ON "service_versions" ("first_seen");
