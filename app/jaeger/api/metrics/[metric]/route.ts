import { webSql } from "@/lib/query/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { parseMetricsQuery, type MetricType } from "@/lib/domain/jaeger-metrics";
import { AppError } from "@/lib/errors";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerMetrics } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

const TYPES: MetricType[] = ["latencies", "calls", "errors"];
/** The roll-ups' resolution: Jaeger UI asks for the smallest step it may use. */
const MIN_STEP_MS = 60_000;

/** Jaeger's metrics API (Service Performance Monitoring): /api/metrics/{latencies,calls,errors,minstep}. */
export const GET = jaegerHandler(async (req, { params }: { params: Promise<{ metric: string }> }) => {
  const metric = (await params).metric;
  if (metric === "minstep") return jaegerData(MIN_STEP_MS);
  if (!TYPES.includes(metric as MetricType))
    throw new AppError(404, `unknown metric type "${metric}" (latencies, calls, errors, minstep)`);
  const type = metric as MetricType;
  return jaegerMetrics(webSql(), type, parseMetricsQuery(type, new URL(req.url).searchParams));
});
