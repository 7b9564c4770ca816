// Liveness: the web process answers. It does not touch the database, so a database outage does not restart it.
export const dynamic = "force-dynamic";

export function GET() {
  return new Response("ok\n", {
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
