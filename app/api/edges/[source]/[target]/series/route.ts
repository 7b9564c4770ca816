import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadEdgeSeries } from "@/lib/query/edges";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req, { params }: { params: Promise<{ source: string; target: string }> }) => {
  const { source, target } = await params;
  const q = new URL(req.url).searchParams;
  const range = parseWindow(q);
  const series = await loadEdgeSeries(
    webSql(),
    { source, target, connectionType: q.get("connectionType") },
    range,
    q.get("step"),
  );
  return { source, target, from: range.from.toISOString(), to: range.to.toISOString(), ...series };
});
