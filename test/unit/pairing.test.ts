import type { AggSpan } from "../../lib/model/span";
import { describe, expect, it } from "vitest";
import { observeEpoch, SpanIndex, type Observations } from "../../lib/domain/pairing";

const T = "0af7651916cd43dd8448eb211c80319c";
const BASE = 1_800_000_000_000_000_000n; // a minute boundary: 1800000000 s
let seq = 0;
const id = () => (++seq).toString(16).padStart(16, "0");

function span(kind: number, service: string, over: Partial<AggSpan> = {}): AggSpan {
  return {
    traceId: T,
    spanId: id(),
    parentSpanId: null,
    serviceName: service,
    name: `${service}-op`,
    kind,
    startNs: BASE + 1_000_000n,
    durationNs: 10_000_000n,
    statusCode: 0,
    statusMessage: null,
    traceState: null,
    attributes: {},
    resourceAttributes: {},
    links: [],
    epoch: 1,
    ...over,
  };
}
const SERVER = 2,
  CLIENT = 3,
  PRODUCER = 4,
  CONSUMER = 5,
  INTERNAL = 1;
const child = (parent: AggSpan, kind: number, service: string, over: Partial<AggSpan> = {}) =>
  span(kind, service, { parentSpanId: parent.spanId, traceId: parent.traceId, ...over });

/** Runs every epoch in order, as the aggregator does, with a window of `wait` epochs. */
function run(spans: AggSpan[], wait = 0): Observations {
  const out: Observations = { edges: [], services: [], quality: [] };
  const epochs = [...new Set(spans.map((s) => s.epoch))].sort((a, b) => a - b);
  const windowEnd = (e: number) => e + wait;
  for (const e of epochs) {
    const visible = new SpanIndex(spans.filter((s) => s.epoch <= windowEnd(e)));
    const o = observeEpoch(
      spans.filter((s) => s.epoch === e),
      visible,
      windowEnd,
    );
    out.edges.push(...o.edges);
    out.services.push(...o.services);
    out.quality.push(...o.quality);
  }
  return out;
}
const edges = (o: Observations) =>
  o.edges.map((e) => `${e.source}->${e.target}:${e.connectionType}:${e.targetType}`).sort();
const quality = (o: Observations) => o.quality.map((q) => `${q.service}:${q.counter}`).sort();

describe("pairing rules", () => {
  it("pairs client -> server with both latencies, and roots come from user", () => {
    const root = span(SERVER, "gateway");
    const call = child(root, CLIENT, "gateway", { durationNs: 50_000_000n });
    const served = child(call, SERVER, "orders", { durationNs: 40_000_000n });
    const o = run([root, call, served]);
    expect(edges(o)).toEqual(["gateway->orders:rpc:service", "user->gateway:rpc:service"]);
    const e = o.edges.find((x) => x.target === "orders")!;
    expect([e.clientNs, e.serverNs, e.spanId, e.minuteMs]).toEqual([
      50_000_000n,
      40_000_000n,
      call.spanId,
      1_800_000_000_000,
    ]);
    expect(quality(o)).toEqual(["gateway:rootServerSpans"]);
    expect(o.services.map((s) => `${s.service}/${s.operation}`).sort()).toEqual([
      "gateway/",
      "gateway/gateway-op",
      "orders/",
      "orders/orders-op",
    ]);
  });

  it("counts fan-out and retries as separate calls", () => {
    const root = span(SERVER, "gateway");
    const calls = [0, 1, 2].map(() => child(root, CLIENT, "gateway"));
    const servers = calls.map((c, i) =>
      child(c, SERVER, i === 2 ? "users" : "orders", { statusCode: i === 0 ? 2 : 0 }),
    );
    const o = run([root, ...calls, ...servers]);
    expect(edges(o)).toEqual([
      "gateway->orders:rpc:service",
      "gateway->orders:rpc:service",
      "gateway->users:rpc:service",
      "user->gateway:rpc:service",
    ]);
    expect(o.edges.filter((e) => e.failed)).toHaveLength(1);
  });

  it("makes self-edges and pairs a client under an internal span", () => {
    const root = span(SERVER, "orders");
    const internal = child(root, INTERNAL, "orders");
    const call = child(internal, CLIENT, "orders");
    const self = child(call, SERVER, "orders");
    expect(edges(run([root, internal, call, self]))).toEqual([
      "orders->orders:rpc:service",
      "user->orders:rpc:service",
    ]);
  });

  it("names databases, queues, external APIs and unknown calls as typed virtual nodes", () => {
    const root = span(SERVER, "inventory");
    const spans = [
      root,
      child(root, CLIENT, "inventory", {
        attributes: {
          "db.system": "postgresql",
          "db.namespace": "stock",
          "server.address": "pg-1",
          "server.port": 5432,
        },
      }),
      child(root, CLIENT, "inventory", { attributes: { "db.system": "redis" } }),
      child(root, CLIENT, "inventory", {
        attributes: { "peer.service": "stripe", "server.address": "api.stripe.com" },
      }),
      child(root, CLIENT, "inventory", { attributes: { "url.full": "https://maps.example.com/v1/geo?q=1" } }),
      child(root, CLIENT, "inventory", {
        attributes: { "network.peer.address": "10.1.2.3", "network.peer.port": 8080 },
      }),
      child(root, PRODUCER, "inventory", {
        attributes: { "messaging.system": "kafka", "messaging.destination.name": "stock-events" },
      }),
      child(root, CLIENT, "inventory"),
    ];
    const o = run(spans);
    expect(edges(o)).toEqual([
      "inventory->10.1.2.3:8080:virtual:external",
      "inventory->kafka:messaging:messaging",
      "inventory->maps.example.com:virtual:external",
      "inventory->pg-1:5432:database:database",
      "inventory->redis:database:database",
      "inventory->stripe:virtual:external",
      "inventory->unknown:virtual:unknown",
      "user->inventory:rpc:service",
    ]);
    expect(o.edges.find((e) => e.target === "kafka")!.broker).toBe("kafka/stock-events");
    expect(quality(o).filter((q) => q.includes("unpairedClient"))).toEqual(["inventory:unpairedClientSpans"]);
  });

  it("pairs producer -> consumer through the parent and through span links, naming the broker", () => {
    const root = span(SERVER, "orders");
    const produce = child(root, PRODUCER, "orders", {
      attributes: { "messaging.system": "rabbitmq", "messaging.destination.name": "emails" },
    });
    const consumeChild = child(produce, CONSUMER, "notify");
    const produce2 = child(root, PRODUCER, "orders", { attributes: { "messaging.system": "rabbitmq" } });
    const consumeLinked = span(CONSUMER, "notify", {
      traceId: "1".repeat(32),
      links: [{ traceId: T, spanId: produce2.spanId }],
    });
    const o = run([root, produce, consumeChild, produce2, consumeLinked]);
    expect(edges(o)).toEqual([
      "orders->notify:messaging:service",
      "orders->notify:messaging:service",
      "user->orders:rpc:service",
    ]);
    expect(
      o.edges
        .filter((e) => e.source === "orders")
        .map((e) => e.broker)
        .sort(),
    ).toEqual(["rabbitmq", "rabbitmq/emails"]);
  });

  it("flags orphans and treats a root consumer like a root server", () => {
    const orphan = span(SERVER, "search", { parentSpanId: "ffffffffffffffff" });
    const rootConsumer = span(CONSUMER, "notify");
    const o = run([orphan, rootConsumer]);
    expect(edges(o)).toEqual(["user->notify:messaging:service"]);
    expect(quality(o)).toEqual(["notify:rootServerSpans", "search:orphanSpans"]);
  });

  it("pairs Zipkin shared client/server halves by equal span id", () => {
    const root = span(SERVER, "frontend");
    const call = child(root, CLIENT, "frontend");
    const shared = { ...call, kind: SERVER, serviceName: "backend", attributes: { "zipkin.shared": true } };
    expect(edges(run([root, call, shared]))).toEqual(["frontend->backend:rpc:service", "user->frontend:rpc:service"]);
  });

  it("derives failure from status, HTTP 5xx and gRPC codes, and counts 4xx and throttling", () => {
    const root = span(SERVER, "a");
    const mk = (attrs: Record<string, unknown>, statusCode = 0) => {
      const c = child(root, CLIENT, "a");
      return [c, child(c, SERVER, "b", { attributes: attrs as never, statusCode })];
    };
    const spans = [
      root,
      ...mk({ "http.response.status_code": 503 }),
      ...mk({ "rpc.grpc.status_code": 14 }),
      ...mk({ "http.response.status_code": 429 }),
      ...mk({ "http.response.status_code": 404 }),
      ...mk({ "http.response.status_code": 500 }, 1),
    ];
    const ab = run(spans).edges.filter((e) => e.target === "b");
    expect(ab.map((e) => [e.failed, e.status4xx, e.throttled])).toEqual([
      [true, false, false],
      [true, false, false],
      [false, true, true],
      [false, true, false],
      [false, false, false],
    ]);
    expect(ab[0]!.errorMessage).toBe("HTTP 503");
  });

  it("weights by adjusted count from tracestate or attributes", () => {
    const root = span(SERVER, "a", { traceState: "ot=th:8;rv:abc" }); // probability 1/2
    const viaAttr = span(SERVER, "b", { attributes: { SampleRate: 10 } });
    const o = run([root, viaAttr]);
    expect(o.edges.map((e) => e.weight).sort()).toEqual([10, 2]);
  });

  it("counts a pair once across epochs, from whichever side was committed later", () => {
    const root = span(SERVER, "gw", { epoch: 1 });
    const call = child(root, CLIENT, "gw", { epoch: 3 });
    const served = child(call, SERVER, "api", { epoch: 2 });
    const lateCall = child(root, CLIENT, "gw", { epoch: 1 });
    const lateServer = child(lateCall, SERVER, "api", { epoch: 4 });
    for (const wait of [0, 1, 2, 3]) {
      const o = run([root, call, served, lateCall, lateServer], wait);
      const pairs = o.edges.filter((e) => e.target === "api").length;
      const virtual = o.edges.filter((e) => e.target === "unknown").length;
      // Inside the window both pairs are counted once; outside it the client becomes a virtual call.
      expect(pairs + virtual).toBe(2);
      expect(pairs).toBe((wait >= 1 ? 1 : 0) + (wait >= 3 ? 1 : 0));
    }
  });

  it("never makes edges from internal spans", () => {
    const root = span(INTERNAL, "batch");
    expect(run([root, child(root, INTERNAL, "batch")]).edges).toEqual([]);
  });
});

describe("early and final passes", () => {
  /** Each epoch twice, as the aggregator now does: early against what is committed up to it, final after its wait. */
  function runTwoPhase(spans: AggSpan[], wait: number): Observations {
    const out: Observations = { edges: [], services: [], quality: [] };
    const epochs = [...new Set(spans.map((s) => s.epoch))].sort((a, b) => a - b);
    const windowEnd = (e: number) => e + wait;
    for (const e of epochs) {
      const batch = spans.filter((s) => s.epoch === e);
      const early = observeEpoch(batch, new SpanIndex(spans.filter((s) => s.epoch <= e)), windowEnd, "early");
      const final = observeEpoch(
        batch,
        new SpanIndex(spans.filter((s) => s.epoch <= windowEnd(e))),
        windowEnd,
        "final",
      );
      for (const o of [early, final]) {
        out.edges.push(...o.edges);
        out.services.push(...o.services);
        out.quality.push(...o.quality);
      }
    }
    return out;
  }
  const all = (o: Observations) => [
    edges(o),
    quality(o),
    o.services.map((s) => `${s.service}/${s.operation}/${s.weight}`).sort(),
    o.edges.map((e) => `${e.source}->${e.target}:${e.weight}:${e.failed}:${e.clientNs}:${e.serverNs}`).sort(),
  ];

  it("add up to one pass after the wait, for random traces spread over epochs", () => {
    let rng = 7;
    const rand = (n: number) => ((rng = (rng * 1103515245 + 12345) % 2 ** 31), rng % n);
    const kinds = [SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL];
    for (let trial = 0; trial < 300; trial++) {
      const traceId = trial.toString(16).padStart(32, "a");
      const spans: AggSpan[] = [];
      for (let i = 0; i < 2 + rand(8); i++) {
        const parent = spans.length && rand(5) > 0 ? spans[rand(spans.length)] : undefined;
        const linked = spans.length && rand(4) === 0 ? spans[rand(spans.length)] : undefined;
        spans.push(
          span(kinds[rand(kinds.length)]!, `svc${rand(4)}`, {
            traceId,
            parentSpanId: parent ? parent.spanId : null,
            epoch: 1 + rand(6),
            statusCode: rand(5) === 0 ? 2 : 0,
            traceState: rand(3) === 0 ? "ot=th:8" : null,
            links: linked ? [{ traceId, spanId: linked.spanId }] : [],
            attributes: rand(4) === 0 ? { "zipkin.shared": true } : rand(3) === 0 ? { "peer.service": "ext" } : {},
          }),
        );
      }
      const wait = rand(3);
      expect(all(runTwoPhase(spans, wait))).toEqual(all(run(spans, wait)));
    }
  });

  it("counts a complete call in the early pass, and leaves the unpaired caller to the final one", () => {
    const root = span(SERVER, "gateway", { epoch: 1 });
    const call = child(root, CLIENT, "gateway", { epoch: 1 });
    const served = child(call, SERVER, "orders", { epoch: 1 });
    const lonely = child(root, CLIENT, "gateway", { epoch: 1, attributes: { "peer.service": "payments-api" } });
    const early = observeEpoch(
      [root, call, served, lonely],
      new SpanIndex([root, call, served, lonely]),
      (e) => e + 30,
      "early",
    );
    expect(edges(early)).toEqual(["gateway->orders:rpc:service", "user->gateway:rpc:service"]);
    const final = observeEpoch(
      [root, call, served, lonely],
      new SpanIndex([root, call, served, lonely]),
      (e) => e + 30,
      "final",
    );
    expect(edges(final)).toEqual(["gateway->payments-api:virtual:external"]);
  });

  it("gives a span without sampling information its trace's adjusted count (Zipkin under a sampled trace)", () => {
    const root = span(SERVER, "gateway", { traceState: "ot=th:8" });
    const call = child(root, CLIENT, "gateway", { traceState: "ot=th:8" });
    const zipkinServer = child(call, SERVER, "payments");
    const zipkinCall = child(zipkinServer, CLIENT, "payments", { attributes: { "peer.service": "gateway-api" } });
    const o = run([root, call, zipkinServer, zipkinCall]);
    expect(o.edges.map((e) => `${e.source}->${e.target}:${e.weight}`).sort()).toEqual([
      "gateway->payments:2",
      "payments->gateway-api:2",
      "user->gateway:2",
    ]);
    expect(o.services.filter((s) => s.service === "payments").map((s) => s.weight)).toEqual([2, 2]);
  });
});
