import { webSql } from "@/lib/query/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerOperations } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jaegerHandler(async (_req, { params }: { params: Promise<{ service: string }> }) =>
  jaegerData(await jaegerOperations(webSql(), (await params).service)),
);
