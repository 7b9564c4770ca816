import { describe, expect, it } from "vitest";
import {
  changeOf,
  defaultHealthThresholds,
  healthOf,
  pointAtCauses,
  rankChanges,
  reasonText,
  type RecentFigures,
} from "../../lib/domain/health";
import { healthThresholds } from "../../lib/config-health";

const fig = (requests: number, errorRate = 0, p95: number | null = 50, seconds = 120): RecentFigures => ({
  requests,
  ratePerSec: requests / seconds,
  errorRate,
  p95,
});

describe("healthOf", () => {
  const usual = fig(600, 0.01, 100);
  it("says failing when recent errors are high and well above the baseline's", () => {
    expect(healthOf(fig(600, 0.4, 100), usual)).toBe("failing");
    expect(healthOf(fig(600, 0.04, 100), usual)).toBe("ok"); // under 5%
    expect(healthOf(fig(600, 0.2, 100), fig(600, 0.15, 100))).toBe("ok"); // high, but as usual
  });

  it("says slow for a latency incident, which error-only colouring missed", () => {
    expect(healthOf(fig(600, 0, 950), usual)).toBe("slow");
    expect(healthOf(fig(600, 0, 140), usual)).toBe("ok"); // 1.4x
    expect(healthOf(fig(600, 0, 4), fig(600, 0, 2))).toBe("ok"); // 2x but 2 ms
  });

  it("says idle without recent traffic and new without a baseline; errors win over latency", () => {
    expect(healthOf(fig(0), usual)).toBe("idle");
    expect(healthOf(fig(10), fig(0))).toBe("new");
    expect(healthOf(fig(600, 0.5, 900), usual)).toBe("failing");
    expect(healthOf(fig(3, 1, 900), usual)).toBe("ok"); // three calls say too little
  });

  it("takes its thresholds from the environment, validated", () => {
    expect(healthThresholds({ HEALTH_SLOW_RATIO: "3" } as unknown as NodeJS.ProcessEnv)).toEqual({
      ...defaultHealthThresholds,
      slowRatio: 3,
    });
    expect(() => healthThresholds({ HEALTH_ERROR_RATE: "2" } as unknown as NodeJS.ProcessEnv)).toThrow();
    expect(healthOf(fig(600, 0, 250), fig(600, 0, 100), { ...defaultHealthThresholds, slowRatio: 3 })).toBe("ok");
  });
});

describe("what changed", () => {
  it("ranks a latency incident above small rate wobbles, and a deploy with a movement first", () => {
    const gateway = changeOf(
      "edge",
      "payment-service->payment-gateway",
      fig(600, 0, 900),
      fig(3000, 0, 30, 600),
      "slow",
    )!;
    const wobble = changeOf("edge", "api-gateway->catalog", fig(700, 0, 50), fig(3000, 0, 50, 600), "ok");
    const errors = changeOf("edge", "order->inventory", fig(600, 0.4, 50), fig(3000, 0.01, 50, 600), "failing")!;
    const deploy = changeOf("node", "order-service", fig(600, 0, 300), fig(3000, 0, 150, 600), "slow", {
      now: "2.0.0",
      before: null,
    })!;
    expect(wobble).toBeNull(); // 1.17x the rate: not a change
    expect(gateway.reasons[0]).toMatchObject({ metric: "latency", now: 900, baseline: 30 });
    expect(errors.reasons[0]).toMatchObject({ metric: "errors", now: 0.4, baseline: 0.01 });
    expect(deploy.reasons.map((r) => r.metric)).toEqual(["latency", "version"]);
    expect(rankChanges([errors, deploy, gateway]).map((c) => c.id)).toEqual([
      "payment-service->payment-gateway",
      "order->inventory",
      "order-service",
    ]);
    // Against latency-only noise of the same size, the deploy comes first.
    const sameSlow = changeOf("edge", "api->order-service", fig(600, 0, 300), fig(3000, 0, 150, 600), "slow")!;
    expect(rankChanges([sameSlow, deploy]).map((c) => c.id)).toEqual(["order-service", "api->order-service"]);
  });

  it("reports appearing and disappearing elements, weighted by their traffic", () => {
    const appeared = changeOf("edge", "a->new", fig(600), fig(0), "new")!;
    const gone = changeOf("edge", "a->old", fig(0), fig(3000, 0, 50, 600), "idle")!;
    const trickle = changeOf("edge", "a->rare", fig(1), fig(0), "new")!;
    expect([appeared.reasons[0]!.metric, gone.reasons[0]!.metric]).toEqual(["appeared", "disappeared"]);
    expect(trickle.score).toBeLessThan(appeared.score);
  });
});

describe("pointing at the cause", () => {
  const endpoints = new Map([
    ["api->orders", { source: "api", target: "orders" }],
    ["orders->payments", { source: "orders", target: "payments" }],
    ["payments->gateway:virtual", { source: "payments", target: "gateway" }],
    ["orders->inventory", { source: "orders", target: "inventory" }],
  ]);
  const base = fig(3000, 0.01, 100, 600);
  const ids = (cs: ReturnType<typeof pointAtCauses>) => rankChanges(cs).map((c) => c.id);

  it("payment-slow: the call to the gateway, not every caller up the chain", () => {
    const changes = [
      changeOf("edge", "api->orders", fig(600, 0.01, 1000), base, "slow")!,
      changeOf("edge", "orders->payments", fig(600, 0.01, 950), base, "slow")!,
      changeOf("edge", "payments->gateway:virtual", fig(600, 0.01, 900), fig(3000, 0.01, 60, 600), "slow")!,
      changeOf("node", "payments", fig(600, 0.01, 940), base, "slow")!,
    ];
    expect(ids(pointAtCauses(changes, endpoints))[0]).toBe("payments->gateway:virtual");
  });

  it("inventory-errors: an inventory edge, before the edges and nodes the errors travel through", () => {
    const changes = [
      changeOf("edge", "api->orders", fig(600, 0.4), base, "failing")!,
      changeOf("edge", "orders->inventory", fig(600, 0.4), base, "failing")!,
      changeOf("node", "orders", fig(600, 0.4), base, "failing")!,
      changeOf("node", "inventory", fig(600, 0.4), base, "failing")!,
    ];
    expect(ids(pointAtCauses(changes, endpoints))[0]).toBe("orders->inventory");
  });

  it("deploy-regression: the service with its new version", () => {
    const changes = [
      changeOf("edge", "api->orders", fig(600, 0.01, 250), base, "slow")!,
      changeOf("node", "orders", fig(600, 0.01, 250), base, "slow", { now: "2.0.0", before: null })!,
    ];
    const top = rankChanges(pointAtCauses(changes, endpoints))[0]!;
    expect([top.id, top.reasons.map((r) => r.metric)]).toEqual(["orders", ["latency", "version"]]);
  });
});

describe("reasonText", () => {
  it("says each reason as a reader would", () => {
    const f = {
      ms: (x: number | null) => `${x} ms`,
      rate: (x: number) => `${x}/s`,
      percent: (x: number) => `${x * 100}%`,
    };
    expect(reasonText({ metric: "latency", now: 900, baseline: 30, score: 1 }, f)).toBe("p95 900 ms (was 30 ms)");
    expect(reasonText({ metric: "errors", now: 0.5, baseline: 0, score: 1 }, f)).toBe("errors 50% (was 0%)");
    expect(reasonText({ metric: "version", now: "2.0.0", baseline: null, score: 5 }, f)).toBe("new version 2.0.0");
    expect(reasonText({ metric: "disappeared", now: 0, baseline: 2, score: 1 }, f)).toBe("gone (was 2/s)");
  });
});
