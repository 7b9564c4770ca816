import { webSql } from "@/lib/query/web-pool";
import { parseSpanKind } from "@/lib/domain/jaeger-v3";
import { badRequest } from "@/lib/errors";
import { jaegerV3Handler } from "@/lib/query/jaeger-respond";
import { jaegerOperationKinds } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jaegerV3Handler(async (req) => {
  const p = new URL(req.url).searchParams;
  const service = p.get("service");
  if (!service) throw badRequest("parameter 'service' is required");
  return { operations: await jaegerOperationKinds(webSql(), service, parseSpanKind(p), "v3") };
});
