import { webSql } from "@/lib/query/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { parseSpanKind } from "@/lib/domain/jaeger-v3";
import { badRequest } from "@/lib/errors";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerOperationKinds } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

/** GET /api/operations?service=&spanKind= : the service's span names with their kinds. */
export const GET = jaegerHandler(async (req) => {
  const p = new URL(req.url).searchParams;
  const service = p.get("service");
  if (!service) throw badRequest("parameter 'service' is required");
  return jaegerData(await jaegerOperationKinds(webSql(), service, parseSpanKind(p), "v1"));
});
