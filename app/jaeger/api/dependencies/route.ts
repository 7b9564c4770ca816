import { webSql } from "@/lib/query/web-pool";
import { jaegerData } from "@/lib/domain/jaeger";
import { badRequest } from "@/lib/errors";
import { checkedTime, parseEnvs } from "@/lib/model/window";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerDependencies } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

/** endTs and lookback in milliseconds, as Jaeger takes them; env= (Tracemap's) as on the map. */
export const GET = jaegerHandler(async (req) => {
  const q = new URL(req.url).searchParams;
  const endTs = Number(q.get("endTs") || Date.now());
  const lookback = Number(q.get("lookback") || 86_400_000);
  if (!Number.isFinite(endTs) || !Number.isFinite(lookback) || lookback <= 0 || lookback > 31 * 86_400_000) {
    throw badRequest("endTs and lookback must be milliseconds (lookback up to 31 days)");
  }
  checkedTime(endTs - lookback, "endTs - lookback");
  checkedTime(endTs, "endTs");
  return jaegerData(await jaegerDependencies(webSql(), endTs, lookback, parseEnvs(q)));
});
