import { edgeCounters } from "@/lib/db/graph-reads";
import { webSql } from "@/lib/db/web-pool";
import { serviceGraphMetrics } from "@/lib/domain/service-graph-metrics";

// Prometheus scrape target with Tempo's service-graph metrics, so Grafana's service graph view works on Tracemap.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return new Response(serviceGraphMetrics(await edgeCounters(webSql())), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
  } catch {
    return new Response("database unavailable\n", { status: 503, headers: { "retry-after": "5" } });
  }
}
