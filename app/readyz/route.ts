import { readiness } from "@/lib/query/status";
import { webSql } from "@/lib/query/web-pool";

// Readiness: the database answers within two seconds. Quarantined spans are reported, not made a failure: the map
// keeps working without them.
export const dynamic = "force-dynamic";

export async function GET() {
  const headers = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
  const ready = await readiness(webSql());
  return ready === null
    ? new Response("database unavailable\n", { status: 503, headers })
    : new Response(ready, { headers });
}
