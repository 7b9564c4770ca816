-- Resources stored once: the resource attributes (the same 20-40 keys on every span of a process) move to their own
-- table keyed by the md5 of their JSON text, and spans keep the 16-byte key. Existing rows are converted.
CREATE TABLE "resources" (
    "id" BYTEA NOT NULL,
    "attributes" JSON NOT NULL,
    "last_seen" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    CONSTRAINT "resources_pkey" PRIMARY KEY ("id")
);
INSERT INTO "resources" ("id", "attributes")
SELECT DISTINCT ON (md5("resource_attributes"::text)) decode(md5("resource_attributes"::text), 'hex'), "resource_attributes"
FROM (SELECT "resource_attributes" FROM "spans" UNION ALL SELECT "resource_attributes" FROM "example_spans") r
ORDER BY md5("resource_attributes"::text);

ALTER TABLE "spans" ADD COLUMN "resource_id" BYTEA;
UPDATE "spans" SET "resource_id" = decode(md5("resource_attributes"::text), 'hex');
ALTER TABLE "spans" ALTER COLUMN "resource_id" SET NOT NULL;
ALTER TABLE "spans" DROP COLUMN "resource_attributes";

ALTER TABLE "example_spans" ADD COLUMN "resource_id" BYTEA;
UPDATE "example_spans" SET "resource_id" = decode(md5("resource_attributes"::text), 'hex');
ALTER TABLE "example_spans" ALTER COLUMN "resource_id" SET NOT NULL;
ALTER TABLE "example_spans" DROP COLUMN "resource_attributes";
