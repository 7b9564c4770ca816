import { afterAll, beforeAll, expect, it } from "vitest";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startTestCollector } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { loadGraph } from "../../lib/query/graph";
import type { RunningCollector } from "../../lib/ingest/collector";

let db: TestDatabase;
let collector: RunningCollector;
beforeAll(async () => {
  db = await createTestDatabase();
  collector = await startTestCollector(db.sql);
});
afterAll(async () => {
  await collector.close();
  await db.drop();
});

const provider = (service: string) =>
  new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${collector.ports.otlpHttp}/v1/traces` })),
    ],
  });

// A consumer that starts a trace of its own and links to the producer (batch receive, as OTel's messaging
// conventions describe) pairs only through the pairing context's link lookups: with two shards, producer and
// consumer traces mostly land in different shards, and each shard's epoch must find the other side in the database.
it("pairs producers and consumers in different traces and shards through span links", async () => {
  await db.sql`DELETE FROM aggregator_shards`;
  await db.sql`INSERT INTO aggregator_shards (shard, shard_count, processed_epoch, updated_at) VALUES (0, 2, 0, now()), (1, 2, 0, now())`;
  const billing = provider("billing");
  const mailer = provider("mailer");
  const pairs = 24;
  for (let i = 0; i < pairs; i++) {
    const produce = billing.getTracer("t").startSpan(
      "invoices publish",
      {
        kind: SpanKind.PRODUCER,
        attributes: { "messaging.system": "rabbitmq", "messaging.destination.name": "invoices" },
      },
      context.active(),
    );
    produce.end();
    const consume = mailer.getTracer("t").startSpan("invoices process", {
      kind: SpanKind.CONSUMER,
      root: true,
      links: [{ context: produce.spanContext() }],
      attributes: { "messaging.system": "rabbitmq" },
    });
    expect(consume.spanContext().traceId).not.toBe(produce.spanContext().traceId);
    trace.setSpan(context.active(), consume);
    consume.end();
  }
  await billing.forceFlush();
  await mailer.forceFlush();
  await aggregateAll(db.sql);

  const graph = await loadGraph(db.sql, new Date(Date.now() - 3600_000), new Date(Date.now() + 60_000));
  const edge = graph.edges.find((e) => e.source === "billing" && e.target === "mailer");
  expect(edge?.requests).toBe(pairs);
  expect(edge?.connectionType).toBe("messaging");
  // Nothing of these traces is left unpaired: no consumer appears as called by "user".
  expect(graph.edges.filter((e) => e.target === "mailer").map((e) => e.source)).toEqual(["billing"]);
  await billing.shutdown();
  await mailer.shutdown();
});
