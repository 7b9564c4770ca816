-- Retention by value: how far raw spans have been thinned (RAW_SPAN_RETENTION_MINUTES); one row.
CREATE TABLE "raw_span_thinning" (
    "id" SMALLINT NOT NULL DEFAULT 1,
    "until" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "raw_span_thinning_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "raw_span_thinning_one_row" CHECK ("id" = 1)
);
