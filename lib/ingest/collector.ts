import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config";
import type { Sql } from "../db/pool";
import { SpanStore } from "../db/span-store";
import { bindGrpc, createOtlpGrpcServer } from "./grpc-receiver";
import { createDatadogServer, createOtlpHttpServer, createZipkinServer } from "./http-receivers";
import { IngestPipeline } from "./pipeline";
import { IngestMetrics } from "./ingest-metrics";
import { TraceSpanCounter } from "./limits";
import { InflightBudget } from "./body";
import { collectorProbes, registerCollectorGauges } from "./probes";
import { startXRayReceiver } from "./xray-receiver";
import { WriteQueue } from "./write-queue";

export type CollectorConfig = Pick<
  Config,
  | "INGEST_HOST" | "OTLP_HTTP_PORT" | "OTLP_GRPC_PORT" | "ZIPKIN_PORT" | "XRAY_PORT" | "DATADOG_PORT" | "INGEST_TOKEN" | "MAX_BODY_BYTES"
  | "WRITE_QUEUE_MAX_SPANS" | "WRITE_BATCH_MAX_SPANS" | "WRITE_BATCH_MAX_WAIT_MS" | "WRITE_CONCURRENCY"
  | "RETRY_AFTER_SECONDS" | "SPAN_MAX_AGE_HOURS" | "SPAN_MAX_FUTURE_MINUTES" | "SPAN_RETENTION_HOURS"
  | "MAX_INFLIGHT_BYTES" | "MAX_SPANS_PER_REQUEST" | "MAX_SPANS_PER_TRACE" | "MAX_ATTRIBUTE_VALUE_BYTES"
  | "MAX_ATTRIBUTES_PER_SPAN" | "MAX_EVENTS_PER_SPAN" | "WRITE_TIMEOUT_MS" | "BODY_READ_TIMEOUT_MS" | "BODY_IDLE_TIMEOUT_MS"
>;

export interface RunningCollector {
  ports: { otlpHttp: number; otlpGrpc: number; zipkin: number; xray: number; datadog: number };
  queue: WriteQueue;
  metrics: IngestMetrics;
  /** Stops accepting, flushes what was accepted, then closes the servers. */
  close(): Promise<void>;
}

const HOUR_NS = 3_600_000_000_000n;

export async function startCollector(config: CollectorConfig, sql: Sql, log: (m: string) => void = console.error): Promise<RunningCollector> {
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
  const pipeline = new IngestPipeline(queue, {
    // Never accept what retention would drop at once: acknowledged spans must not vanish.
    maxAgeNs: BigInt(Math.min(config.SPAN_MAX_AGE_HOURS, config.SPAN_RETENTION_HOURS)) * HOUR_NS,
    maxFutureNs: (BigInt(config.SPAN_MAX_FUTURE_MINUTES) * HOUR_NS) / 60n,
    values: { maxValueBytes: config.MAX_ATTRIBUTE_VALUE_BYTES, maxAttributes: config.MAX_ATTRIBUTES_PER_SPAN, maxEvents: config.MAX_EVENTS_PER_SPAN },
  }, { metrics, traces: new TraceSpanCounter(config.MAX_SPANS_PER_TRACE), maxSpansPerRequest: config.MAX_SPANS_PER_REQUEST });
  const budget = new InflightBudget(config.MAX_INFLIGHT_BYTES, config.RETRY_AFTER_SECONDS);
  registerCollectorGauges(metrics, sql, queue, budget);
  const receiver = {
    pipeline, maxBodyBytes: config.MAX_BODY_BYTES, ingestToken: config.INGEST_TOKEN, log, budget,
    bodyDeadlines: { totalMs: config.BODY_READ_TIMEOUT_MS, idleMs: config.BODY_IDLE_TIMEOUT_MS },
    probes: collectorProbes(metrics, sql, queue, config.WRITE_QUEUE_MAX_SPANS),
  };

  const otlpHttp = createOtlpHttpServer(receiver);
  const zipkin = createZipkinServer(receiver);
  const grpc = createOtlpGrpcServer(receiver);
  const datadog = createDatadogServer(receiver);
  const [httpPort, zipkinPort, grpcPort, xray, datadogPort] = await Promise.all([
    listen(otlpHttp, config.INGEST_HOST, config.OTLP_HTTP_PORT),
    listen(zipkin, config.INGEST_HOST, config.ZIPKIN_PORT),
    bindGrpc(grpc, config.INGEST_HOST, config.OTLP_GRPC_PORT),
    startXRayReceiver(pipeline, config.INGEST_HOST, config.XRAY_PORT, log),
    listen(datadog, config.INGEST_HOST, config.DATADOG_PORT),
  ]);

  return {
    ports: { otlpHttp: httpPort, otlpGrpc: grpcPort, zipkin: zipkinPort, xray: xray.port, datadog: datadogPort },
    queue,
    metrics,
    async close() {
      xray.socket.close();
      const closing = [closeHttp(otlpHttp), closeHttp(zipkin), closeHttp(datadog), new Promise<void>((r) => grpc.tryShutdown(() => r()))];
      await queue.close();
      await Promise.all(closing);
    },
  };
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
