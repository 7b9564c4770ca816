import { z } from "zod";
import { defaultGraphLimits, type GraphLimits } from "./domain/cardinality";
import { envSettings } from "./config-env";

// Cardinality limits from the environment (README "Limits"), validated; unset ones keep their defaults.
const positive = z.coerce.number().int().positive();
const schema = z.object({
  MAX_GRAPH_NODES: positive.default(defaultGraphLimits.maxNodes),
  MAX_GRAPH_EDGES: positive.default(defaultGraphLimits.maxEdges),
  MAX_OPERATIONS_PER_SERVICE: positive.default(500),
});

export interface Limits extends GraphLimits {
  maxOperationsPerService: number;
}

export const cardinalityLimits: (env?: NodeJS.ProcessEnv) => Limits = envSettings(schema, (v) => ({
  maxNodes: v.MAX_GRAPH_NODES,
  maxEdges: v.MAX_GRAPH_EDGES,
  maxOperationsPerService: v.MAX_OPERATIONS_PER_SERVICE,
}));
