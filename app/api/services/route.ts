import { parseTime } from "@/lib/domain/time-range";
import { webSql } from "@/lib/db/web-pool";
import { jsonHandler } from "@/lib/http/respond";
import { loadServices } from "@/lib/query/edges";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req) => {
  const since = parseTime(new URL(req.url).searchParams.get("since") ?? "now-7d", Date.now(), "since");
  return { services: await loadServices(webSql(), new Date(since)) };
});
