import type { Attributes } from "../model/span";

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
 * The node a client or producer span calls when no instrumented service answered it: named by the first
 * attribute present, typed by what the attributes say it is.
 */
export function virtualNodeOf(attrs: Attributes): { name: string; type: NodeType } {
  let isDatabase = false;
  let isMessaging = false;
  for (const k in attrs) {
    isDatabase ||= k.startsWith("db.");
    isMessaging ||= k.startsWith("messaging.");
  }
  const name =
    str(attrs["peer.service"]) ??
    withPort(str(attrs["server.address"]), attrs["server.port"]) ??
    withPort(str(attrs["network.peer.address"]), attrs["network.peer.port"]) ??
    str(attrs["db.namespace"]) ??
    str(attrs["db.name"]) ??
    str(attrs["db.system"]) ??
    str(attrs["db.system.name"]) ??
    str(attrs["messaging.system"]) ??
    urlHost(attrs);
  if (!name) return { name: "unknown", type: "unknown" };
  return { name, type: isDatabase ? "database" : isMessaging ? "messaging" : "external" };
}

/** The broker a messaging edge goes through, e.g. "kafka/orders". */
export function brokerOf(attrs: Attributes): string | null {
  const system = str(attrs["messaging.system"]);
  const destination = str(attrs["messaging.destination.name"]) ?? str(attrs["messaging.destination"]);
  if (!system && !destination) return null;
  return [system, destination].filter(Boolean).join("/");
}
