import { webSql } from "@/lib/db/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { AppError } from "@/lib/errors";
import { jsonHandler } from "@/lib/http/respond";
import { jaegerTrace } from "@/lib/query/jaeger";
import { isTraceId } from "@/lib/query/overview";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (_req, { params }: { params: Promise<{ traceId: string }> }) => {
  const id = (await params).traceId.toLowerCase().padStart(32, "0");
  if (!isTraceId(id)) throw new AppError(400, "trace id must be hex, up to 32 characters");
  const trace = await jaegerTrace(webSql(), id);
  if (!trace) throw new AppError(404, `trace ${id} not found`);
  return jaegerData([trace]);
});
