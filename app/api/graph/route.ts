import { parseMapState } from "@/app/(map)/url";
import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import { jsonHandler } from "@/lib/query/respond";
import { loadMapGraph } from "@/lib/query/map";

export const dynamic = "force-dynamic";

// The map page's parameters (from, to, env, focus, hops, cmp); unlike the page, bad times are a 400 here.
export const GET = jsonHandler(async (req) => {
  const params = new URL(req.url).searchParams;
  const { focus, hops, compare } = parseMapState(params);
  return loadMapGraph(webSql(), parseWindow(params), focus, hops, compare);
});
