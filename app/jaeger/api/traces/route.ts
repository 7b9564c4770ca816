import { webSql } from "@/lib/query/web-pool";
import { jaegerData, parseJaegerSearch, parseTraceIds } from "@/lib/domain/jaeger";
import { jaegerHandler } from "@/lib/query/jaeger-respond";
import { jaegerFindTraces, jaegerTracesById } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

/** A search, or with `traceID` parameters (repeatable) those traces, the missing ones reported in `errors`. */
export const GET = jaegerHandler(async (req) => {
  const params = new URL(req.url).searchParams;
  const ids = parseTraceIds(params);
  if (ids.length > 0) {
    const { traces, errors } = await jaegerTracesById(webSql(), ids);
    return jaegerData(traces, errors.length > 0 ? errors : null);
  }
  return jaegerData(await jaegerFindTraces(webSql(), parseJaegerSearch(params)));
});
