// The service graph as the API returns it and the map draws it.
import type { Diff } from "./compare";
import type { FoldReport } from "./cardinality";
import type { Percentiles } from "../model/histogram";
import type { NodeType } from "./virtual-node";
import type { Health, RecentFigures } from "./health";

export interface GraphNode {
  id: string;
  name: string;
  type: NodeType;
  /** service.namespace, for grouping. */
  namespace: string | null;
  requests: number;
  errors: number;
  rawSpans: number;
  ratePerSec: number;
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  quality: {
    orphanSpans: number;
    unpairedClientSpans: number;
    unpairedServerSpans: number;
    rootServerSpans: number;
    suspectedBrokenContext: boolean;
  };
  /** The deployment environments it reported, when the map shows more than one ("" for none). */
  envs?: string[];
  /** Its value of each configured extra dimension (its busiest), when SERVICE_GRAPH_DIMENSIONS is set. */
  dims?: Record<string, string>;
  /** On an "other" node (cardinality limits): how many nodes of its type it stands for. */
  folded?: number;
  /** New service.version values first seen in the window (a version seen before it is not a deploy), oldest first. */
  deploys?: { version: string; at: string }[];
  /** Against the baseline, in compare mode. */
  diff?: Diff;
  /** The last two settled minutes (Graph.recentWindow). */
  recent?: RecentFigures;
  /** The same node before (Graph.baselineWindow). */
  baseline?: RecentFigures;
  health?: Health;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  connectionType: string;
  broker: string | null;
  requests: number;
  errors: number;
  status4xx: number;
  throttled: number;
  rawSpans: number;
  ratePerSec: number;
  errorRate: number;
  client: Percentiles;
  server: Percentiles;
  diff?: Diff;
  recent?: RecentFigures;
  baseline?: RecentFigures;
  health?: Health;
}

export interface Graph {
  from: string;
  to: string;
  /**
   * The aggregation watermark: everything acknowledged before it is counted (calls still waiting for a partner
   * aside). Null before anything was counted.
   */
  settledUntil: string | null;
  /** Seconds of the window the figures cover (from .. min(to, settledUntil)): rates divide by it. */
  coveredSeconds: number;
  /** The baseline window, in compare mode. */
  baseline?: { from: string; to: string };
  /** What nodes' and edges' `recent` figures cover: the last two minutes before the watermark. */
  recentWindow?: { from: string; to: string };
  /** What their `baseline` figures cover: the compare window, else the hour before the window. */
  baselineWindow?: { from: string; to: string };
  /** Every deployment environment seen in the window ("" for spans that name none), for choosing one. */
  environments?: string[];
  /** The environments shown (absent: all). */
  envs?: string[];
  /** The configured extra dimensions and the values seen in the window. */
  dimensions?: { key: string; values: string[] }[];
  /** The dimension filter in force (absent: none). */
  dims?: Record<string, string>;
  /** Present when the graph was over its limits (MAX_GRAPH_NODES / MAX_GRAPH_EDGES): what was folded. */
  folded?: FoldReport;
  nodes: GraphNode[];
  edges: GraphEdge[];
}
