import { z } from "zod";
import { defaultGraphSettings, type GraphSettings } from "./domain/dimensions";
import { envSettings, type Settings } from "./config-env";

// Tempo-style service-graph settings from the environment (docs/configuration.md "Dimensions"): comma-separated
// attribute keys; unset ones keep Tempo's defaults.
const keyList = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? fallback
        : v
            .split(",")
            .map((k) => k.trim())
            .filter(Boolean),
    )
    .refine((keys) => keys.every((k) => k.length <= 100), "attribute keys are at most 100 characters");

const schema = z.object({
  SERVICE_GRAPH_DIMENSIONS: keyList(defaultGraphSettings.dimensions).refine(
    (keys) => keys.length <= 10,
    "at most 10 dimensions (each multiplies the roll-up rows and /metrics series)",
  ),
  SERVICE_GRAPH_ENABLE_CLIENT_SERVER_PREFIX: z
    .enum(["true", "false", "1", "0", ""])
    .optional()
    .transform((v) => v === "true" || v === "1"),
  SERVICE_GRAPH_PEER_ATTRIBUTES: keyList(defaultGraphSettings.peerAttributes),
  SERVICE_GRAPH_DATABASE_NAME_ATTRIBUTES: keyList(defaultGraphSettings.databaseNameAttributes),
});

export const graphSettings: (env?: Settings) => GraphSettings = envSettings(schema, (v) => ({
  dimensions: [...new Set(v.SERVICE_GRAPH_DIMENSIONS)],
  clientServerPrefix: v.SERVICE_GRAPH_ENABLE_CLIENT_SERVER_PREFIX,
  peerAttributes: v.SERVICE_GRAPH_PEER_ATTRIBUTES,
  databaseNameAttributes: v.SERVICE_GRAPH_DATABASE_NAME_ATTRIBUTES,
}));
