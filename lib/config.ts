import { z } from "zod";

// Every setting the processes read, validated once. Defaults make `npm start` work on a fresh machine.
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TRACEMAP_DATA_DIR: z.string().default(".tracemap"),
  EMBEDDED_PG_PORT: port.default(54329),
  OTLP_HTTP_PORT: port.default(4318),
  OTLP_GRPC_PORT: port.default(4317),
  ZIPKIN_PORT: port.default(9411),
  XRAY_PORT: port.default(2000),
  DATADOG_PORT: port.default(8126),
  WEB_PORT: port.default(3000),
  INGEST_HOST: z.string().default("0.0.0.0"),
  INGEST_TOKEN: z.string().min(1).optional(),
  // Optional dashboard login: one shared password; sessions are signed with SESSION_SECRET (else derived from it).
  DASHBOARD_PASSWORD: z.string().min(8, "use at least 8 characters").optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  MAX_BODY_BYTES: positiveInt.default(16 * 1024 * 1024),
  MAX_INFLIGHT_BYTES: positiveInt.default(64 * 1024 * 1024),
  // A request body must arrive within BODY_READ_TIMEOUT_MS, with no gap over BODY_IDLE_TIMEOUT_MS (else 408).
  BODY_READ_TIMEOUT_MS: positiveInt.default(60_000),
  BODY_IDLE_TIMEOUT_MS: positiveInt.default(10_000),
  MAX_SPANS_PER_REQUEST: positiveInt.default(50_000),
  MAX_SPANS_PER_TRACE: positiveInt.default(100_000),
  MAX_ATTRIBUTE_VALUE_BYTES: positiveInt.default(4096),
  MAX_ATTRIBUTES_PER_SPAN: positiveInt.default(128),
  MAX_EVENTS_PER_SPAN: positiveInt.default(128),
  WRITE_QUEUE_MAX_SPANS: positiveInt.default(50_000),
  WRITE_BATCH_MAX_SPANS: positiveInt.default(5_000),
  WRITE_BATCH_MAX_WAIT_MS: z.coerce.number().int().min(0).default(5),
  WRITE_CONCURRENCY: positiveInt.default(2),
  WRITE_TIMEOUT_MS: positiveInt.default(20_000),
  // Collector worker processes sharing the receivers' ports: decoding is CPU-bound, one process uses one core.
  COLLECTOR_PROCESSES: positiveInt.max(64).default(1),
  RETRY_AFTER_SECONDS: positiveInt.default(5),
  SPAN_MAX_AGE_HOURS: positiveInt.default(24 * 7),
  SPAN_MAX_FUTURE_MINUTES: positiveInt.default(60),
  SPAN_RETENTION_HOURS: positiveInt.default(24),
  // Retention by value (lib/db/value-retention.ts): 0 keeps every raw span for SPAN_RETENTION_HOURS. At least 5
  // minutes, so a span is long past its pairing wait before it can go.
  RAW_SPAN_RETENTION_MINUTES: z.coerce
    .number()
    .int()
    .refine((m) => m === 0 || m >= 5, "RAW_SPAN_RETENTION_MINUTES must be 0 (off) or at least 5")
    .default(0),
  KEEP_SAMPLE_PERCENT: z.coerce.number().min(0).max(100).default(1),
  // Compaction (lib/db/compaction.ts): rolled-up raw spans this old move into deflated chunks per trace; 0 leaves
  // them raw. At least 5 minutes, so a span is long past its pairing wait before it moves.
  SPAN_COMPACT_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .refine((m) => m === 0 || m >= 5, "SPAN_COMPACT_AFTER_MINUTES must be 0 (off) or at least 5")
    .default(15),
  AGGREGATOR_INTERVAL_MS: positiveInt.default(1_000),
  AGGREGATOR_WAIT_MS: z.coerce.number().int().min(0).default(30_000),
  // Trace-id-hash shards of the aggregation: more than one lets several aggregator processes share the work.
  AGGREGATOR_SHARDS: z.coerce.number().int().min(1).max(256).default(1),
  AGGREGATOR_LEASE_MS: positiveInt.default(15_000),
  // V8 old-space caps of the web and aggregator processes `npm start` runs (see lib/cli/processes.ts).
  WEB_MAX_HEAP_MB: positiveInt.min(128).default(256),
  AGGREGATOR_MAX_HEAP_MB: positiveInt.min(128).default(256),
  RETENTION_INTERVAL_MS: positiveInt.default(60_000),
  MINUTE_ROLLUP_RETENTION_DAYS: positiveInt.default(7),
  HOUR_ROLLUP_RETENTION_DAYS: positiveInt.default(90),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings in the environment mean "not set", as shells commonly export them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
