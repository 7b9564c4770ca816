// The demo shop: which services exist, how each exports, and what each route calls.
export type ExporterKind = "otlp-proto" | "otlp-json" | "otlp-grpc" | "zipkin";

export interface DemoService {
  name: string;
  exporter: ExporterKind;
  /** Base latency of its own work in ms (log-normal around it). */
  workMs: number;
}

export const SERVICES: DemoService[] = [
  { name: "api-gateway", exporter: "otlp-proto", workMs: 3 },
  { name: "order-service", exporter: "otlp-json", workMs: 12 },
  { name: "inventory-service", exporter: "otlp-grpc", workMs: 6 },
  { name: "payment-service", exporter: "zipkin", workMs: 20 },
  { name: "notification-service", exporter: "otlp-proto", workMs: 8 },
  { name: "catalog-service", exporter: "otlp-proto", workMs: 5 },
  { name: "search-service", exporter: "otlp-json", workMs: 15 },
  { name: "recommendation-service", exporter: "otlp-proto", workMs: 25 },
  { name: "user-service", exporter: "otlp-grpc", workMs: 4 },
];

/** recommendation-service is the legacy one: it drops traceparent on its outgoing calls. */
export const LEGACY_SERVICE = "recommendation-service";
/** api-gateway samples half of the traces (and says so in tracestate, so counts stay right). */
export const SAMPLED_SERVICE = "api-gateway";

export const SCENARIOS = ["none", "payment-slow", "inventory-errors", "deploy-regression", "traffic-spike"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Ports of everything on loopback, from one base port. */
export function demoPorts(base: number) {
  const ports: Record<string, number> = {};
  for (const [i, s] of SERVICES.entries()) ports[s.name] = base + 1 + i;
  return { control: base, services: ports, paymentGateway: base + 50 };
}

/** Log-normal latency around `median` ms (sigma 0.5): mostly near it, with a realistic tail. */
export function latencyMs(median: number, rand = Math.random): number {
  const z = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(0.5 * z);
}
