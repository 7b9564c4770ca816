import { parseRange } from "@/lib/domain/time-range";
import { webSql } from "@/lib/db/web-pool";
import { jsonHandler } from "@/lib/http/respond";
import { loadEdgeExamples, parseExampleKind } from "@/lib/query/edges";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req, { params }: { params: Promise<{ source: string; target: string }> }) => {
  const { source, target } = await params;
  const q = new URL(req.url).searchParams;
  const range = parseRange(q, Date.now(), "now-1h");
  const kind = parseExampleKind(q.get("kind"));
  return { source, target, kind, traces: await loadEdgeExamples(webSql(), { source, target, connectionType: q.get("connectionType") }, range, kind) };
});
