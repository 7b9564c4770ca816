import { webSql } from "@/lib/db/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { jsonHandler } from "@/lib/http/respond";
import { jaegerOperations } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (_req, { params }: { params: Promise<{ service: string }> }) =>
  jaegerData(await jaegerOperations(webSql(), (await params).service)));
