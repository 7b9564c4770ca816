// The deployment environment a span comes from: a dimension of every roll-up, so production, staging and the rest
// each have their own map (and a staging load test never shows up as a production incident).
import type { Attributes } from "../model/span";

/** OTel semantic conventions: deployment.environment.name, formerly deployment.environment; missing is "". */
export function environmentOf(resource: Attributes): string {
  const v = resource["deployment.environment.name"] ?? resource["deployment.environment"];
  return typeof v === "string" ? v.slice(0, 100) : "";
}

/**
 * A callee seen from another environment is drawn as its own node, qualified by its environment (a production
 * service calling staging is something to see, not to merge into production's node).
 */
export function nodeInEnvironment(name: string, env: string, fromEnv: string): string {
  return env !== "" && fromEnv !== "" && env !== fromEnv ? `${name} [${env}]` : name;
}
