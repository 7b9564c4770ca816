import type { Attributes } from "../model/span";
import { defaultGraphSettings, firstAttribute, type GraphSettings } from "./dimensions";

export type NodeType = "service" | "user" | "database" | "messaging" | "external" | "unknown" | "group";

const str = (v: unknown): string | null =>
  typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" ? String(v) : null;
const withPort = (host: string | null, port: unknown) => (host ? (str(port) ? `${host}:${str(port)}` : host) : null);

function urlHost(attrs: Attributes): string | null {
  const raw = str(attrs["url.full"]) ?? str(attrs["http.url"]);
  if (!raw) return null;
  try {
    return new URL(raw).host || null;
  } catch {
    return null;
  }
}

/**
 * The node a client or producer span calls when no instrumented service answered it, as Tempo names it: a database
 * when one of `databaseNameAttributes` is present (named by peer.service, server.address, network.peer.address, or
 * that attribute), else the first of `peerAttributes`; then the address, messaging system or URL host, so a plain
 * HTTP call still names its peer.
 */
export function virtualNodeOf(
  attrs: Attributes,
  settings: Pick<GraphSettings, "peerAttributes" | "databaseNameAttributes"> = defaultGraphSettings,
): { name: string; type: NodeType } {
  let isMessaging = false;
  for (const k in attrs) isMessaging ||= k.startsWith("messaging.");
  const address =
    withPort(str(attrs["server.address"]), attrs["server.port"]) ??
    withPort(str(attrs["network.peer.address"]), attrs["network.peer.port"]);
  const databaseName = firstAttribute(settings.databaseNameAttributes, attrs);
  if (databaseName !== null) {
    return { name: str(attrs["peer.service"]) ?? address ?? databaseName, type: "database" };
  }
  const name =
    firstAttribute(settings.peerAttributes, attrs) ?? address ?? str(attrs["messaging.system"]) ?? urlHost(attrs);
  if (!name) return { name: "unknown", type: "unknown" };
  return { name, type: isMessaging ? "messaging" : "external" };
}

/** The broker a messaging edge goes through, e.g. "kafka/orders". */
export function brokerOf(attrs: Attributes): string | null {
  const system = str(attrs["messaging.system"]);
  const destination = str(attrs["messaging.destination.name"]) ?? str(attrs["messaging.destination"]);
  if (!system && !destination) return null;
  return [system, destination].filter(Boolean).join("/");
}
