import { parseMapState } from "@/app/(map)/url";
import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadChanges } from "@/lib/query/health";

export const dynamic = "force-dynamic";

/** GET /api/changes?from=&to=[&cmp=]: nodes and edges ranked by how far their recent minutes moved from baseline. */
export const GET = jsonHandler(async (req) => {
  const params = new URL(req.url).searchParams;
  const { compare } = parseMapState(params);
  return loadChanges(webSql(), parseWindow(params), compare);
});
