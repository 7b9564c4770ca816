import { webSql } from "@/lib/query/web-pool";
import { jaegerData, jaegerTraceId } from "@/lib/domain/jaeger";
import { AppError } from "@/lib/errors";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { pinTrace } from "@/lib/query/traces";

export const dynamic = "force-dynamic";

/**
 * Jaeger UI's "Archive Trace" (POST /api/archive/{traceID}, shown when its archiveEnabled option is on): Tracemap's
 * archive is a pinned trace, copied out of raw-span retention and listed at /traces?pinned=1. Reads need nothing
 * more: a pinned trace's spans answer GET /api/traces/{traceID} after the raw ones expire.
 */
export const POST = jaegerHandler(async (_req, { params }: { params: Promise<{ traceId: string }> }) => {
  const id = jaegerTraceId((await params).traceId, "trace id");
  if (!(await pinTrace(webSql(), id, "Jaeger UI (archive)", ""))) throw new AppError(404, "trace not found");
  return jaegerData([]);
});
