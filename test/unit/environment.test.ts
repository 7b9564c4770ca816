import { describe, expect, it } from "vitest";
import { environmentOf, nodeInEnvironment } from "../../lib/domain/environment";

describe("deployment environment of a span", () => {
  it("reads deployment.environment.name, else the older deployment.environment, else none", () => {
    expect(environmentOf({ "deployment.environment.name": "prod", "deployment.environment": "old" })).toBe("prod");
    expect(environmentOf({ "deployment.environment": "staging" })).toBe("staging");
    expect(environmentOf({ "service.name": "api" })).toBe("");
    expect(environmentOf({ "deployment.environment.name": 3 })).toBe(""); // not a string: none
    expect(environmentOf({ "deployment.environment.name": "x".repeat(300) })).toHaveLength(100);
  });

  it("qualifies a callee by its environment only when both sides name different ones", () => {
    expect(nodeInEnvironment("api", "staging", "prod")).toBe("api [staging]");
    expect(nodeInEnvironment("api", "prod", "prod")).toBe("api");
    expect(nodeInEnvironment("api", "", "prod")).toBe("api");
    expect(nodeInEnvironment("api", "staging", "")).toBe("api");
  });
});
