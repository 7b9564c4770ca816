-- The same versions per minute, for short windows read from cached blocks of minutes.
CREATE TABLE "rollup_minute_versions" (
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "version" BIGINT NOT NULL,
    CONSTRAINT "rollup_minute_versions_pkey" PRIMARY KEY ("minute")
);
