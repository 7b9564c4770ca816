import MapView from "./components/MapView";
import { parseMapState, rangeParams } from "@/app/(map)/url";
import { parseWindow } from "@/lib/model/window";
import { webSql } from "@/lib/query/web-pool";
import PageError from "@/app/components/PageError";
import { packGraph } from "@/app/(map)/graph-wire";
import { loadMapGraph } from "@/lib/query/map";
import type { Graph } from "@/lib/query/graph";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function MapPage({ searchParams }: { searchParams: SearchParams }) {
  const state = parseMapState(await searchParams);
  let graph: Graph;
  try {
    graph = await loadMapGraph(webSql(), parseWindow(rangeParams(state)), state.focus, state.hops, state.compare);
  } catch (err) {
    return <PageError what="the map" error={err} />;
  }
  return <MapView graphJson={packGraph(graph)} />;
}
