// Extra dimensions of the service graph, as Tempo's service-graph processor has them: configured attribute keys
// whose values (looked up in the resource first, then the span) split every edge and service row, become labels on
// /metrics and filters and groups on the map. Also Tempo's peer_attributes and database_name_attributes.
import type { Attributes } from "../model/span";

export interface GraphSettings {
  /** Attribute keys, e.g. k8s.cluster.name (SERVICE_GRAPH_DIMENSIONS). */
  dimensions: string[];
  /** Whether /metrics labels a dimension client_<key> and server_<key> (Tempo's enable_client_server_prefix). */
  clientServerPrefix: boolean;
  /** Names a called peer no instrumented service answered, first present wins (Tempo's peer_attributes). */
  peerAttributes: string[];
  /** Any of these on a client span makes its peer a database, named by it last (database_name_attributes). */
  databaseNameAttributes: string[];
}

/** Tempo's defaults (servicegraphs/config.go); no dimensions unless configured. */
export const defaultGraphSettings: GraphSettings = {
  dimensions: [],
  clientServerPrefix: false,
  peerAttributes: ["peer.service", "db.name", "db.system", "db.system.name"],
  databaseNameAttributes: ["db.namespace", "db.name", "db.system", "db.system.name"],
};

/** A row's dimension values as canonical JSON text ("{}" for none): part of the row's key. */
export type DimensionsText = string;
export const NO_DIMENSIONS: DimensionsText = "{}";
const MAX_VALUE_CHARS = 100;

/** An attribute value as a label value: scalars as text, anything else as JSON; absent or empty is null. */
export function attributeText(v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return text.slice(0, MAX_VALUE_CHARS);
}

/** The first of `keys` present in any of `sources` (searched in order), as text. */
export function firstAttribute(keys: readonly string[], ...sources: Attributes[]): string | null {
  for (const k of keys) {
    for (const source of sources) {
      const text = attributeText(source[k]);
      if (text !== null) return text;
    }
  }
  return null;
}

/** One side's values: resource attributes first, then the span's (Tempo's FindAttributeValue order). */
function sideValues(keys: readonly string[], side: { resourceAttributes: Attributes; attributes: Attributes }) {
  const out: [string, string][] = [];
  for (const k of keys) {
    const v = attributeText(side.resourceAttributes[k]) ?? attributeText(side.attributes[k]);
    if (v !== null) out.push([k, v]);
  }
  return out;
}

type Side = { resourceAttributes: Attributes; attributes: Attributes } | null;

/** A service row's dimensions: `{key: value}` of the span answering. */
export function serviceDimensions(keys: readonly string[], side: NonNullable<Side>): DimensionsText {
  if (keys.length === 0) return NO_DIMENSIONS;
  return JSON.stringify(Object.fromEntries(sideValues(keys, side)));
}

/** An edge row's dimensions: `client_<key>` from the caller, `server_<key>` from the callee, either may be absent. */
export function edgeDimensions(keys: readonly string[], client: Side, server: Side): DimensionsText {
  if (keys.length === 0) return NO_DIMENSIONS;
  const entries = [
    ...(client ? sideValues(keys, client).map(([k, v]) => [`client_${k}`, v]) : []),
    ...(server ? sideValues(keys, server).map(([k, v]) => [`server_${k}`, v]) : []),
  ];
  return JSON.stringify(Object.fromEntries(entries));
}

/** Prometheus label name for an attribute key (Prometheus' SanitizeLabelName, as Tempo uses it). */
export const labelName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, "_");

/**
 * The extra /metrics labels of an edge: client_/server_ pairs with the prefix, else one label per key carrying the
 * caller's value, or the callee's when the caller has none (Tempo leaves that choice undetermined).
 */
export function dimensionLabels(
  settings: Pick<GraphSettings, "dimensions" | "clientServerPrefix">,
  dims: Record<string, string>,
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const k of settings.dimensions) {
    const client = dims[`client_${k}`] ?? "";
    const server = dims[`server_${k}`] ?? "";
    if (settings.clientServerPrefix) {
      labels[labelName(`client_${k}`)] = client;
      labels[labelName(`server_${k}`)] = server;
    } else {
      labels[labelName(k)] = client || server;
    }
  }
  return labels;
}
