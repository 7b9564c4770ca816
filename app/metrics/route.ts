import { edgeCounters } from "@/lib/db/graph-reads";
import { webSql } from "@/lib/db/web-pool";
import { serviceGraphMetrics } from "@/lib/domain/service-graph-metrics";
import { loadQuarantine, quarantineMetricText } from "@/lib/query/quarantine";

// Prometheus scrape target with Tempo's service-graph metrics, so Grafana's service graph view works on Tracemap.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const [counters, quarantine] = await Promise.all([edgeCounters(webSql()), loadQuarantine(webSql())]);
    return new Response(serviceGraphMetrics(counters) + quarantineMetricText(quarantine), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
  } catch {
    return new Response("database unavailable\n", { status: 503, headers: { "retry-after": "5" } });
  }
}
