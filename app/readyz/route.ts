import { pingDatabase } from "@/lib/db/pool";
import { webSql } from "@/lib/db/web-pool";
import { loadQuarantine, quarantineReadyLine } from "@/lib/query/quarantine";

// Readiness: the database answers within two seconds. Quarantined spans are reported, not made a failure: the map
// keeps working without them.
export const dynamic = "force-dynamic";

export async function GET() {
  const headers = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
  if ((await pingDatabase(webSql())) !== "ok") return new Response("database unavailable\n", { status: 503, headers });
  const quarantined = await loadQuarantine(webSql()).then(quarantineReadyLine, () => "");
  return new Response(`ready\n${quarantined}`, { headers });
}
