import { webSql } from "@/lib/query/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerServices } from "@/lib/query/jaeger";

// Jaeger query API (for Jaeger UI and Grafana's Jaeger data source pointed at http://<tracemap>/jaeger).
export const dynamic = "force-dynamic";

export const GET = jaegerHandler(async () => jaegerData(await jaegerServices(webSql())));
