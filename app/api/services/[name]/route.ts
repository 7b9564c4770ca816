import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadServiceDetail } from "@/lib/query/service";

export const dynamic = "force-dynamic";

export const GET = jsonHandler(async (req, { params }: { params: Promise<{ name: string }> }) => {
  const { name } = await params;
  const q = new URL(req.url).searchParams;
  return loadServiceDetail(webSql(), name, parseWindow(q), q.get("step"));
});
