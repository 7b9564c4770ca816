import { AppError, badRequest } from "@/lib/errors";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { isTraceId, loadTraceSpans } from "@/lib/query/traces";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (_req, { params }: { params: Promise<{ traceId: string }> }) => {
  const traceId = (await params).traceId.toLowerCase();
  if (!isTraceId(traceId)) throw badRequest("trace id must be 32 hex characters");
  const spans = await loadTraceSpans(webSql(), traceId);
  if (spans.length === 0) throw new AppError(404, `trace ${traceId} not found`);
  return {
    traceId,
    spans: spans.map((s) => ({
      ...s,
      startNs: s.startNs.toString(),
      durationNs: s.durationNs.toString(),
      durationMs: Number(s.durationNs) / 1e6,
    })),
  };
});
