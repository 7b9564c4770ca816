// Runs ELK in a web worker (app/elk-worker.js): the page stays responsive while a map is laid out.
import ELK from "elkjs/lib/elk-api.js";
import { elkGraph, fromElk, type ElkResult, type LayoutEdge, type LayoutNode } from "@/app/components/elk-layout";

let elk: InstanceType<typeof ELK> | null = null;

/** Starts the worker (it loads ELK, a big script) ahead of the first layout. */
export function startElk(): void {
  elk ??= new ELK({ workerUrl: "/elk-worker.js" });
}

/** The ELK layout of a map; rejects if the worker cannot run (the caller falls back to the hand-rolled layout). */
export async function elkLayout(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<ElkResult> {
  startElk();
  return fromElk(await elk!.layout(elkGraph(nodes, edges)));
}
