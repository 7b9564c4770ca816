import { webSql } from "@/lib/db/web-pool";
import { jaegerData, parseJaegerSearch } from "@/lib/domain/jaeger";
import { jsonHandler } from "@/lib/http/respond";
import { jaegerFindTraces } from "@/lib/query/jaeger";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req) => jaegerData(await jaegerFindTraces(webSql(), parseJaegerSearch(new URL(req.url).searchParams))));
