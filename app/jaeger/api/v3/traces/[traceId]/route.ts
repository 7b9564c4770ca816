import { webSql } from "@/lib/query/web-pool";
import { jaegerTraceId } from "@/lib/domain/jaeger";
import { AppError } from "@/lib/errors";
import { jaegerV3Handler } from "@/lib/query/jaeger-respond";
import { otlpTrace } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jaegerV3Handler(async (_req, { params }: { params: Promise<{ traceId: string }> }) => {
  const id = jaegerTraceId((await params).traceId, "malformed parameter trace_id");
  const result = await otlpTrace(webSql(), id);
  if (!result) throw new AppError(404, "No traces found");
  return { result };
});
