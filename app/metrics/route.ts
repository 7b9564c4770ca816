import { queryError } from "@/lib/query/errors";
import { metricsText } from "@/lib/query/status";
import { webSql } from "@/lib/query/web-pool";

// Prometheus scrape target with Tempo's service-graph metrics, so Grafana's service graph view works on Tracemap.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return new Response(await metricsText(webSql()), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
    });
  } catch (err) {
    const e = queryError(err);
    return new Response(`${e.message}\n`, { status: e.status, headers: e.headers });
  }
}
