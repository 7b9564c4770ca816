import { describe, expect, it } from "vitest";
import {
  defaultGraphSettings,
  dimensionLabels,
  edgeDimensions,
  NO_DIMENSIONS,
  serviceDimensions,
} from "../../lib/domain/dimensions";
import { virtualNodeOf } from "../../lib/domain/virtual-node";
import { graphSettings } from "../../lib/config-graph";

const side = (resourceAttributes: Record<string, unknown>, attributes: Record<string, unknown> = {}) =>
  ({ resourceAttributes, attributes }) as Parameters<typeof serviceDimensions>[1];

describe("service-graph dimensions", () => {
  it("take the resource's value first, then the span's, as Tempo does; none configured is no key at all", () => {
    const keys = ["k8s.cluster.name", "http.request.method"];
    const s = side({ "k8s.cluster.name": "eu" }, { "k8s.cluster.name": "span-says", "http.request.method": "GET" });
    expect(JSON.parse(serviceDimensions(keys, s))).toEqual({ "k8s.cluster.name": "eu", "http.request.method": "GET" });
    expect(serviceDimensions([], s)).toBe(NO_DIMENSIONS);
    expect(JSON.parse(edgeDimensions(keys, s, side({ "k8s.cluster.name": "us" })))).toEqual({
      "client_k8s.cluster.name": "eu",
      "client_http.request.method": "GET",
      "server_k8s.cluster.name": "us",
    });
    expect(JSON.parse(edgeDimensions(keys, null, side({ "k8s.cluster.name": 7 })))).toEqual({
      "server_k8s.cluster.name": "7",
    });
  });

  it("become Prometheus labels: sanitized names, client_/server_ pairs with the prefix, else the caller's value", () => {
    const dims = { "client_k8s.cluster.name": "eu", "server_k8s.cluster.name": "us" };
    const keys = ["k8s.cluster.name", "cloud.region"];
    expect(dimensionLabels({ dimensions: keys, clientServerPrefix: true }, dims)).toEqual({
      client_k8s_cluster_name: "eu",
      server_k8s_cluster_name: "us",
      client_cloud_region: "",
      server_cloud_region: "",
    });
    expect(dimensionLabels({ dimensions: keys, clientServerPrefix: false }, dims)).toEqual({
      k8s_cluster_name: "eu",
      cloud_region: "",
    });
    expect(
      dimensionLabels({ dimensions: keys, clientServerPrefix: false }, { "server_k8s.cluster.name": "us" }),
    ).toEqual({ k8s_cluster_name: "us", cloud_region: "" });
  });

  it("are read from the environment with Tempo's defaults for peer and database attributes", () => {
    expect(graphSettings({})).toEqual(defaultGraphSettings);
    const s = graphSettings({
      SERVICE_GRAPH_DIMENSIONS: " k8s.cluster.name, cloud.region ,",
      SERVICE_GRAPH_ENABLE_CLIENT_SERVER_PREFIX: "true",
      SERVICE_GRAPH_PEER_ATTRIBUTES: "peer.service,net.peer.name",
    });
    expect(s.dimensions).toEqual(["k8s.cluster.name", "cloud.region"]);
    expect(s.clientServerPrefix).toBe(true);
    expect(s.peerAttributes).toEqual(["peer.service", "net.peer.name"]);
    expect(() => graphSettings({ SERVICE_GRAPH_DIMENSIONS: "a,b,c,d,e,f,g,h,i,j,k" })).toThrow(/at most 10/);
  });
});

describe("peer and database naming (peer_attributes, database_name_attributes)", () => {
  it("names a database by peer.service, address, then the database attribute; other peers by peer attributes", () => {
    expect(virtualNodeOf({ "db.system": "postgresql", "server.address": "pg", "server.port": 5432 })).toEqual({
      name: "pg:5432",
      type: "database",
    });
    expect(virtualNodeOf({ "db.system.name": "redis" })).toEqual({ name: "redis", type: "database" });
    expect(virtualNodeOf({ "db.namespace": "orders", "db.system": "postgresql" }).name).toBe("orders");
    // Not a database unless one of the configured attributes is present; db.system still names it (a peer attribute).
    expect(
      virtualNodeOf(
        { "db.system": "redis", "server.address": "cache" },
        {
          ...defaultGraphSettings,
          databaseNameAttributes: ["db.namespace"],
        },
      ),
    ).toEqual({ name: "redis", type: "external" });
    const custom = { ...defaultGraphSettings, peerAttributes: ["net.peer.name"] };
    expect(virtualNodeOf({ "net.peer.name": "billing", "server.address": "10.0.0.1" }, custom).name).toBe("billing");
    expect(virtualNodeOf({ "url.full": "https://api.example.com/v1" })).toEqual({
      name: "api.example.com",
      type: "external",
    });
  });
});
