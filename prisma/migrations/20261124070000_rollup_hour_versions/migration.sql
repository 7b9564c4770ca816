-- A version per hour of roll-up rows, bumped by every epoch that adds to that hour. Readers cache merged blocks
-- of whole hours and reload a block only when one of its hours has a new version.
CREATE SEQUENCE "rollup_version_seq";
CREATE TABLE "rollup_hour_versions" (
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "version" BIGINT NOT NULL,
    CONSTRAINT "rollup_hour_versions_pkey" PRIMARY KEY ("hour")
);
