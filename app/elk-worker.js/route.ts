// ELK's web worker, served from the package as it is: the map lays out in it without blocking the page.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export const dynamic = "force-static";

export async function GET(): Promise<Response> {
  const code = await readFile(join(process.cwd(), "node_modules/elkjs/lib/elk-worker.min.js"));
  return new Response(code, {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" },
  });
}
