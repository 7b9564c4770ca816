import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../lib/config";

// There is no Docker engine here: check what can be checked of docker/ without one.
const dockerfile = readFileSync("docker/Dockerfile", "utf8");
// Compose files may use "<<" merge keys, which YAML 1.2 parsers only expand when asked.
const compose = parse(readFileSync("docker/compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, any>;
};
const otel = parse(readFileSync("docker/otel-collector.yaml", "utf8")) as any;
const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;

describe("docker/", () => {
  it("copies every file the app needs into the build stage, and only files that exist", () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    for (const f of copied) expect(existsSync(f), f).toBe(true);
    for (const needed of [
      "package.json",
      "package-lock.json",
      "prisma",
      "lib",
      "app",
      "next.config.mjs",
      "tsconfig.json",
      "proxy.ts",
      "prisma.config.ts",
    ]) {
      expect(copied, needed).toContain(needed);
    }
    expect(dockerfile).toMatch(/RUN npm ci .*next build/);
  });

  it("runs each part with an npm script that exists, on the compose PostgreSQL, with matching ports", () => {
    const config = loadConfig({});
    const parts = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(parts.map(([name]) => name).sort()).toEqual(["aggregator", "collector", "web"]);
    for (const [, s] of parts) {
      const [npm, run, script] = s.command as string[];
      expect([npm, run]).toEqual(["npm", "run"]);
      expect(scripts[script!], script).toBeDefined();
      const url = new URL(s.environment.DATABASE_URL as string);
      expect(compose.services[url.hostname], url.hostname).toBeDefined();
      expect(url.username).toBe(compose.services[url.hostname].environment.POSTGRES_USER);
    }
    expect(compose.services.collector.ports).toEqual([
      `${config.OTLP_GRPC_PORT}:${config.OTLP_GRPC_PORT}`,
      `${config.OTLP_HTTP_PORT}:${config.OTLP_HTTP_PORT}`,
      `${config.ZIPKIN_PORT}:${config.ZIPKIN_PORT}`,
      `${config.XRAY_PORT}:${config.XRAY_PORT}/udp`,
      `${config.DATADOG_PORT}:${config.DATADOG_PORT}`,
    ]);
    expect(compose.services.web.ports).toEqual([`${config.WEB_PORT}:${config.WEB_PORT}`]);
    // Replicated aggregators only share work when there are at least as many shards as replicas.
    const aggregator = compose.services.aggregator;
    const shards = loadConfig(aggregator.environment).AGGREGATOR_SHARDS;
    expect(shards).toBeGreaterThanOrEqual(aggregator.deploy?.replicas ?? 1);
    expect(compose.services.collector.healthcheck.test.join(" ")).toContain(`:${config.OTLP_HTTP_PORT}/readyz`);
  });

  it("has the example OpenTelemetry Collector forward every trace pipeline to Tracemap's OTLP/HTTP receiver", () => {
    const exporters = otel.service.pipelines.traces.exporters as string[];
    expect(exporters.length).toBeGreaterThan(0);
    for (const name of exporters) {
      expect(name.startsWith("otlphttp")).toBe(true);
      const endpoint = new URL(otel.exporters[name].endpoint);
      expect(compose.services[endpoint.hostname], endpoint.hostname).toBeDefined();
      expect(Number(endpoint.port)).toBe(loadConfig({}).OTLP_HTTP_PORT);
    }
    for (const r of otel.service.pipelines.traces.receivers as string[]) expect(otel.receivers[r]).toBeDefined();
  });
});
