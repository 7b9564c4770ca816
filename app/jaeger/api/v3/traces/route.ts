import { webSql } from "@/lib/query/web-pool";
import { parseV3Query } from "@/lib/domain/jaeger-v3";
import { AppError } from "@/lib/errors";
import { jaegerV3Handler } from "@/lib/query/jaeger-respond";
import { otlpFindTraces } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

/** Matching traces' spans as one OTLP TracesData; 404 when none match, as Jaeger's gateway answers. */
export const GET = jaegerV3Handler(async (req) => {
  const result = await otlpFindTraces(webSql(), parseV3Query(new URL(req.url).searchParams));
  if (!result) throw new AppError(404, "No traces found");
  return { result };
});
