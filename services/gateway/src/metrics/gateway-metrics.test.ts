// The gateway's metrics in process, over real HTTP, against a fake directory whose every API key
// is a tenant of its own: what each request is counted as, and that 1,000 tenants make at most
// METRICS_MAX_TENANTS + 1 tenant label values.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { create } from "@bufbuild/protobuf";
import { GroupSchema, ResourceMetaSchema } from "@scimgw/proto";
import { urn } from "@scimgw/scim";
import type { DirectoryClient } from "@scimgw/directory-client";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import { createGatewayMetrics, noTenantLabel, type GatewayMetrics } from "./gateway-metrics.js";
import { overflowLabel } from "./bounded-label.js";

/** Every key is valid, and its tenant is named after the key's hash. */
const directory = {
  apiKeys: { verifyApiKey: async ({ keySha256 }: { keySha256: string }) => ({ tenantId: `t-${keySha256.slice(0, 16)}`, keyId: "k" }) },
  users: { listUsers: async () => ({ users: [], totalResults: 0n }) },
  groups: {
    patchGroup: async ({ id }: { id: string }) => ({
      group: create(GroupSchema, { id, displayName: "G", meta: create(ResourceMetaSchema, { version: 2n }) }),
    }),
  },
} as unknown as DirectoryClient;

const servers: Server[] = [];
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function gateway(metrics: GatewayMetrics): Promise<string> {
  const app = createGateway({
    ...testGatewayOptions(directory),
    apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 60_000, maxEntries: 2000 },
    isResourceId: () => true,
    metrics,
    onRateLimited: metrics.rateLimited,
  });
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${scimRoot}`;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A metric's samples as plain rows: its labels and its value. */
async function rows(metrics: GatewayMetrics, name: string): Promise<Array<Record<string, string | number>>> {
  return (await samples(metrics, name)).map(({ labels, value }) => ({ ...labels, value }));
}

async function samples(metrics: GatewayMetrics, name: string): Promise<Sample[]> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  assert.ok(metric, `${name} is registered`);
  return metric.values as Sample[];
}

const okta = { "User-Agent": "Okta SCIM Client 1.0.0" };
const entra = { "User-Agent": "Microsoft.AAD.Provisioning/1.0" };

test("requests of 1,000 tenants make at most METRICS_MAX_TENANTS + 1 tenant label values, and every request is counted", async () => {
  const metrics = createGatewayMetrics({ maxTenants: 10, processMetrics: false });
  const base = await gateway(metrics);
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => fetch(`${base}/Users?count=0`, { headers: { Authorization: `Bearer key-${i + j}`, ...okta } })),
    );
  }
  const counted = (await samples(metrics, "scimgw_gateway_requests_total")).filter((sample) => sample.labels.operation === "users.list");
  const tenants = new Set(counted.map((sample) => sample.labels.tenant));
  assert.equal(tenants.size, 11);
  assert.ok(tenants.has(overflowLabel));
  assert.equal(
    counted.reduce((sum, sample) => sum + sample.value, 0),
    1000,
  );
  assert.equal(counted.find((sample) => sample.labels.tenant === overflowLabel)?.value, 990);
  const timed = (await samples(metrics, "scimgw_gateway_request_duration_seconds")).filter(
    (sample) => sample.metricName === "scimgw_gateway_request_duration_seconds_count",
  );
  assert.equal(new Set(timed.map((sample) => sample.labels.tenant)).size, 11);
});

test("a request is counted by operation, status class, scimType, IdP and tenant; before authentication its tenant is none", async () => {
  const metrics = createGatewayMetrics({ maxTenants: 100, processMetrics: false });
  const base = await gateway(metrics);
  assert.equal((await fetch(`${base}/Users`, { headers: okta })).status, 401);
  const badFilter = await fetch(`${base}/Users?filter=${encodeURIComponent("userName zz 1")}`, {
    headers: { Authorization: "Bearer k", ...okta },
  });
  assert.equal(badFilter.status, 400);
  assert.equal(((await badFilter.json()) as { scimType: string }).scimType, "invalidFilter");
  assert.equal((await fetch(`${base}/Users?count=0`, { headers: { Authorization: "Bearer k", ...entra } })).status, 200);

  const counted = await rows(metrics, "scimgw_gateway_requests_total");
  const tenant = counted.find((sample) => sample.status_class === "2xx")?.tenant;
  assert.match(String(tenant), /^t-/);
  assert.deepEqual(
    counted.sort((a, b) => `${a.status_class}${a.scim_type}`.localeCompare(`${b.status_class}${b.scim_type}`)),
    [
      { operation: "users.list", status_class: "2xx", scim_type: "", idp: "entra", tenant, value: 1 },
      { operation: "users.list", status_class: "4xx", scim_type: "", idp: "okta", tenant: noTenantLabel, value: 1 },
      { operation: "users.list", status_class: "4xx", scim_type: "invalidFilter", idp: "okta", tenant, value: 1 },
    ],
  );
});

test("a group PATCH is measured in operations and member values", async () => {
  const metrics = createGatewayMetrics({ maxTenants: 100, processMetrics: false });
  const base = await gateway(metrics);
  const response = await fetch(`${base}/Groups/g1`, {
    method: "PATCH",
    headers: { Authorization: "Bearer k", "Content-Type": "application/scim+json", ...entra },
    body: JSON.stringify({
      schemas: [urn.patchOp],
      Operations: [
        { op: "Add", path: "members", value: [{ value: "u1" }, { value: "u2" }, { value: "u3" }] },
        { op: "Remove", path: 'members[value eq "u4"]' },
      ],
    }),
  });
  assert.equal(response.status, 204);
  const sumOf = async (name: string) =>
    (await samples(metrics, name)).find((sample) => sample.metricName === `${name}_sum` && sample.labels.idp === "entra")?.value;
  assert.equal(await sumOf("scimgw_gateway_group_patch_operations"), 2);
  assert.equal(await sumOf("scimgw_gateway_group_patch_member_values"), 4);
});

test("rate-limit refusals are counted by limit and tenant", async () => {
  const metrics = createGatewayMetrics({ maxTenants: 100, processMetrics: false });
  metrics.rateLimited("tenant", "t-1");
  metrics.rateLimited("failed-authentication", undefined);
  const counted = await rows(metrics, "scimgw_gateway_rate_limited_total");
  assert.deepEqual(counted, [
    { limit: "tenant", tenant: "t-1", value: 1 },
    { limit: "failed-authentication", tenant: noTenantLabel, value: 1 },
  ]);
});
