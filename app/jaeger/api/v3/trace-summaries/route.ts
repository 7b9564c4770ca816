import { webSql } from "@/lib/query/web-pool";
import { parseV3Query } from "@/lib/domain/jaeger-v3";
import { jaegerV3Handler } from "@/lib/query/jaeger-respond";
import { jaegerTraceSummaries } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

/** One summary per matching trace (root, times, span and error counts per service), as Jaeger UI 2.19+ lists them. */
export const GET = jaegerV3Handler(async (req) => ({
  summaries: await jaegerTraceSummaries(webSql(), parseV3Query(new URL(req.url).searchParams)),
}));
