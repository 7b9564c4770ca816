import { webSql } from "@/lib/db/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { jsonHandler } from "@/lib/http/respond";
import { jaegerServices } from "@/lib/query/jaeger";

// Jaeger query API (for Grafana's Jaeger data source pointed at http://<tracemap>/jaeger).
export const dynamic = "force-dynamic";

export const GET = jsonHandler(async () => jaegerData(await jaegerServices(webSql())));
