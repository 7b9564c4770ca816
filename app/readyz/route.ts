import { pingDatabase } from "@/lib/db/pool";
import { webSql } from "@/lib/db/web-pool";

// Readiness: the database answers within two seconds.
export const dynamic = "force-dynamic";

export async function GET() {
  const headers = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
  if ((await pingDatabase(webSql())) === "ok") return new Response("ready\n", { headers });
  return new Response("database unavailable\n", { status: 503, headers });
}
