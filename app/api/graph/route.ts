import { parseRange } from "@/lib/domain/time-range";
import { webSql } from "@/lib/db/web-pool";
import { jsonHandler } from "@/lib/http/respond";
import { loadGraph } from "@/lib/query/graph";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req) => {
  const { from, to } = parseRange(new URL(req.url).searchParams);
  return loadGraph(webSql(), from, to);
});
