import { webSql } from "@/lib/query/web-pool";
import { jaegerV3Handler } from "@/lib/query/jaeger-respond";
import { jaegerServices } from "@/lib/query/jaeger";

// Jaeger query API v3 over HTTP, as Jaeger UI 2.15 and later read it.
export const dynamic = "force-dynamic";

export const GET = jaegerV3Handler(async () => ({ services: await jaegerServices(webSql()) }));
