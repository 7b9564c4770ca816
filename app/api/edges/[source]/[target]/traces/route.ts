import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadEdgeExamples, parseExampleKind, parseMaxMs } from "@/lib/query/edges";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req, { params }: { params: Promise<{ source: string; target: string }> }) => {
  const { source, target } = await params;
  const q = new URL(req.url).searchParams;
  const range = parseWindow(q, Date.now(), "now-1h");
  const kind = parseExampleKind(q.get("kind"));
  const maxMs = parseMaxMs(q.get("maxMs"));
  const traces = await loadEdgeExamples(
    webSql(),
    { source, target, connectionType: q.get("connectionType") },
    range,
    kind,
    20,
    maxMs,
  );
  return { source, target, kind: maxMs === null ? kind : "atOrBelow", maxMs, traces };
});
