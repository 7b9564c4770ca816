import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config";
import type { Sql } from "../db/pool";
import { SpanStore } from "../db/span-store";
import { bindGrpc, createGrpcReceiverServer } from "./grpc-transport";
import { createHttpReceiverServer } from "./http-transport";
import { IngestPipeline } from "./pipeline";
import { IngestMetrics } from "./ingest-metrics";
import { TraceSpanCounter } from "./limits";
import { InflightBudget } from "./body";
import { collectorProbes, registerCollectorGauges } from "./probes";
import type { ReceiverOptions } from "./receive";
import { RECEIVERS, type Receiver } from "./receivers";
import { startUdpReceiver } from "./udp-transport";
import { WriteQueue } from "./write-queue";

export type CollectorConfig = Pick<
  Config,
  | "INGEST_HOST"
  | "OTLP_HTTP_PORT"
  | "OTLP_GRPC_PORT"
  | "ZIPKIN_PORT"
  | "XRAY_PORT"
  | "DATADOG_PORT"
  | "INGEST_TOKEN"
  | "MAX_BODY_BYTES"
  | "WRITE_QUEUE_MAX_SPANS"
  | "WRITE_BATCH_MAX_SPANS"
  | "WRITE_BATCH_MAX_WAIT_MS"
  | "WRITE_CONCURRENCY"
  | "RETRY_AFTER_SECONDS"
  | "SPAN_MAX_AGE_HOURS"
  | "SPAN_MAX_FUTURE_MINUTES"
  | "SPAN_RETENTION_HOURS"
  | "MAX_INFLIGHT_BYTES"
  | "MAX_SPANS_PER_REQUEST"
  | "MAX_SPANS_PER_TRACE"
  | "MAX_ATTRIBUTE_VALUE_BYTES"
  | "MAX_ATTRIBUTES_PER_SPAN"
  | "MAX_EVENTS_PER_SPAN"
  | "WRITE_TIMEOUT_MS"
  | "BODY_READ_TIMEOUT_MS"
  | "BODY_IDLE_TIMEOUT_MS"
>;

export interface RunningCollector {
  ports: { otlpHttp: number; otlpGrpc: number; zipkin: number; xray: number; datadog: number };
  queue: WriteQueue;
  metrics: IngestMetrics;
  /** Stops accepting, flushes what was accepted, then closes the servers. */
  close(): Promise<void>;
}

const HOUR_NS = 3_600_000_000_000n;

export async function startCollector(
  config: CollectorConfig,
  sql: Sql,
  log: (m: string) => void = console.error,
): Promise<RunningCollector> {
  const metrics = new IngestMetrics();
  const queue = new WriteQueue(new SpanStore(sql), {
    maxQueuedSpans: config.WRITE_QUEUE_MAX_SPANS,
    maxBatchSpans: config.WRITE_BATCH_MAX_SPANS,
    maxWaitMs: config.WRITE_BATCH_MAX_WAIT_MS,
    concurrency: config.WRITE_CONCURRENCY,
    writeTimeoutMs: config.WRITE_TIMEOUT_MS,
    retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    onError: (err) => {
      metrics.dbErrors.inc();
      log(`span write failed: ${(err as Error).message}`);
    },
  });
  const pipeline = new IngestPipeline(
    queue,
    {
      // Never accept what retention would drop at once: acknowledged spans must not vanish.
      maxAgeNs: BigInt(Math.min(config.SPAN_MAX_AGE_HOURS, config.SPAN_RETENTION_HOURS)) * HOUR_NS,
      maxFutureNs: (BigInt(config.SPAN_MAX_FUTURE_MINUTES) * HOUR_NS) / 60n,
      values: {
        maxValueBytes: config.MAX_ATTRIBUTE_VALUE_BYTES,
        maxAttributes: config.MAX_ATTRIBUTES_PER_SPAN,
        maxEvents: config.MAX_EVENTS_PER_SPAN,
      },
    },
    {
      metrics,
      traces: new TraceSpanCounter(config.MAX_SPANS_PER_TRACE),
      maxSpansPerRequest: config.MAX_SPANS_PER_REQUEST,
    },
  );
  const budget = new InflightBudget(config.MAX_INFLIGHT_BYTES, config.RETRY_AFTER_SECONDS);
  registerCollectorGauges(metrics, sql, queue, budget);
  const startup = { listening: false };
  const options: ReceiverOptions = {
    pipeline,
    maxBodyBytes: config.MAX_BODY_BYTES,
    ingestToken: config.INGEST_TOKEN,
    log,
    budget,
    bodyDeadlines: { totalMs: config.BODY_READ_TIMEOUT_MS, idleMs: config.BODY_IDLE_TIMEOUT_MS },
    probes: collectorProbes(metrics, sql, queue, config.WRITE_QUEUE_MAX_SPANS, startup),
  };
  const started = await Promise.all(RECEIVERS.map((r) => startReceiver(r, options, config)));
  const ports = Object.fromEntries(started.map((s) => [s.name, s.port])) as RunningCollector["ports"];
  startup.listening = true;

  return {
    ports,
    queue,
    metrics,
    async close() {
      const closing = started.map((s) => s.close());
      await queue.close();
      await Promise.all(closing);
    },
  };
}

/** Starts one receiver on its transport; `close` stops taking requests (and resolves when its server is closed). */
async function startReceiver(r: Receiver, options: ReceiverOptions, config: CollectorConfig) {
  const port = config[r.port];
  const host = config.INGEST_HOST;
  switch (r.transport) {
    case "http": {
      const server = createHttpReceiverServer(r, options);
      return { name: r.name, port: await listen(server, host, port), close: () => closeHttp(server) };
    }
    case "grpc": {
      const server = createGrpcReceiverServer(r, options);
      return {
        name: r.name,
        port: await bindGrpc(server, host, port),
        close: () => new Promise<void>((done) => server.tryShutdown(() => done())),
      };
    }
    case "udp": {
      const { socket, port: bound } = await startUdpReceiver(r, options, host, port);
      return { name: r.name, port: bound, close: async () => void socket.close() };
    }
  }
}

function listen(server: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
