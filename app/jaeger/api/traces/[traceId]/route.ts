import { webSql } from "@/lib/query/web-pool";
import { jaegerData, jaegerTraceId } from "@/lib/domain/jaeger";
import { AppError } from "@/lib/errors";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerTrace } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jaegerHandler(async (_req, { params }: { params: Promise<{ traceId: string }> }) => {
  const id = jaegerTraceId((await params).traceId, "trace id");
  const trace = await jaegerTrace(webSql(), id);
  if (!trace) throw new AppError(404, "trace not found");
  return jaegerData([trace]);
});
