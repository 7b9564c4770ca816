import { expect, it } from "vitest";
import AWSXRay from "aws-xray-sdk-core";
import { useCollectorDatabase } from "../helpers/collector";
import { aggregateAll } from "../helpers/aggregate";
import { findTraceSpans } from "../../lib/db/span-reads";
import { edgeTotals } from "../../lib/db/graph-reads";

const ctx = useCollectorDatabase();

it("takes segments from the real X-Ray SDK over the daemon's UDP protocol and maps them into spans and edges", async () => {
  AWSXRay.setDaemonAddress(`127.0.0.1:${ctx.collector.ports.xray}`);
  AWSXRay.setContextMissingStrategy("IGNORE_ERROR");
  AWSXRay.setLogger({ error: () => {}, warn: () => {}, info: () => {}, debug: () => {} });

  const checkout = new AWSXRay.Segment("xray-checkout");
  checkout.addAnnotation("tenant", "acme");
  const db = checkout.addNewSubsegment("orders-db");
  db.namespace = "remote";
  db.addSqlData({ database_type: "PostgreSQL", url: "db.internal:5432" } as never);
  db.close();
  const call = checkout.addNewSubsegment("payments.internal");
  call.namespace = "remote";
  // The downstream service continues the trace with the calling subsegment as its parent.
  const payments = new AWSXRay.Segment("xray-payments", checkout.trace_id, call.id);
  payments.addFaultFlag();
  payments.close(new Error("card processor timeout"));
  call.addFaultFlag();
  call.close();
  const compute = checkout.addNewSubsegment("compute-total");
  compute.close();
  checkout.close();

  const traceId = checkout.trace_id.replace(/^1-([0-9a-f]{8})-([0-9a-f]{24})$/, "$1$2");
  await expect.poll(async () => (await findTraceSpans(ctx.db.sql, traceId)).length, { timeout: 10_000 }).toBe(5);
  const spans = await findTraceSpans(ctx.db.sql, traceId);
  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  expect(byName["xray-checkout"]).toMatchObject({
    serviceName: "xray-checkout",
    kind: 2,
    parentSpanId: null,
    attributes: { tenant: "acme" },
  });
  expect(byName["orders-db"]).toMatchObject({
    serviceName: "xray-checkout",
    kind: 3,
    parentSpanId: checkout.id,
    attributes: { "peer.service": "orders-db", "db.system": "postgresql" },
  });
  expect(byName["payments.internal"]).toMatchObject({ kind: 3, statusCode: 2 });
  expect(byName["xray-payments"]).toMatchObject({
    serviceName: "xray-payments",
    kind: 2,
    parentSpanId: call.id,
    statusCode: 2,
    statusMessage: "card processor timeout",
  });
  expect(byName["compute-total"]).toMatchObject({ kind: 1 });
  expect(Number(byName["xray-checkout"]!.durationNs)).toBeGreaterThanOrEqual(0);

  await aggregateAll(ctx.db.sql);
  const edges = await edgeTotals(ctx.db.sql, {
    from: new Date(Date.now() - 3600_000),
    to: new Date(Date.now() + 60_000),
  });
  expect(edges.map((e) => [e.source, e.target, e.targetType, e.failed])).toEqual([
    ["user", "xray-checkout", "service", 0],
    ["xray-checkout", "orders-db", "database", 0],
    ["xray-checkout", "xray-payments", "service", 1],
  ]);
});

it("counts datagrams it cannot use instead of failing, and keeps serving", async () => {
  const { createSocket } = await import("node:dgram");
  const socket = createSocket("udp4");
  const send = (text: string) =>
    new Promise<void>((resolve, reject) =>
      socket.send(text, ctx.collector.ports.xray, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
  await send("no header");
  await send('{"format":"json","version":1}\n{not json');
  await send(
    '{"format":"json","version":1}\n{"type":"subsegment","trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"70de5b6f19ff9a0a"}',
  );
  socket.close();
  await expect
    .poll(async () => {
      const text = await (await fetch(`http://127.0.0.1:${ctx.collector.ports.otlpHttp}/metrics`)).text();
      return Number(/tracemap_refused_requests_total\{protocol="xray",status="400"\} (\d+)/.exec(text)?.[1] ?? 0);
    })
    .toBe(3);
});
