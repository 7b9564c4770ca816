import { webSql } from "@/lib/db/web-pool";
import { jaegerV3Handler } from "@/lib/http/jaeger-respond";
import { jaegerServices } from "@/lib/query/jaeger";

// Jaeger query API v3 over HTTP, as Jaeger UI 2.15 and later read it.
export const dynamic = "force-dynamic";

export const GET = jaegerV3Handler(async () => ({ services: await jaegerServices(webSql()) }));
