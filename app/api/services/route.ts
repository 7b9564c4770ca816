import { parseTime } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadServices, loadSettledUntil } from "@/lib/query/edges";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req) => {
  const since = parseTime(new URL(req.url).searchParams.get("since") ?? "now-7d", Date.now(), "since");
  const [services, settledUntil] = await Promise.all([
    loadServices(webSql(), new Date(since)),
    loadSettledUntil(webSql()),
  ]);
  // lastSeen is as of the aggregation watermark: a service seen after it is not listed yet.
  return { settledUntil, services };
});
