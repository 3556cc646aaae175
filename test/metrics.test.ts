// Both services' Prometheus metrics, scraped from the real processes after an Okta user
// lifecycle and an Entra group sync: each request and call is counted under the labels an
// operator filters by (operation, status class, IdP, tenant; method and code), and the metrics
// are on ports of their own, not on the SCIM port.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { compliantOp, entraUser, legacyOp, patchRequest } from "./support/entra-requests.js";
import { groupSchemaUrn } from "./support/group-checks.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

const okta = { "User-Agent": "Okta SCIM Client 1.0.0" };
const entra = { "User-Agent": "Microsoft.AAD.Provisioning/1.0" };

/** A scrape as series → value, a series written `name{label="value",...}` with its labels sorted by name. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const [, name = "", labels] = /^([^{]+)(?:\{(.*)\})?$/.exec(line.slice(0, space)) ?? [];
    // Our label values hold no commas or quotes, so splitting at commas is enough here.
    const pairs = labels === undefined ? [] : labels.split(",").map((pair) => pair.split("=") as [string, string]);
    series.set(
      seriesOf(name, Object.fromEntries(pairs.map(([key, value]) => [key, JSON.parse(value) as string]))),
      Number(line.slice(space + 1)),
    );
  }
  return series;
}

/** The series of `name` with these labels, as scrape() keys it. */
function seriesOf(name: string, labels: Record<string, string>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return sorted.length === 0 ? name : `${name}{${sorted.map(([key, value]) => `${key}="${value}"`).join(",")}}`;
}

for (const store of await storeKindsUnderTest())
  describe(`metrics on ${store}`, () => {
    let product: Product;
    let tenant = "";

    before(async () => {
      product = await Product.start({ store });
      tenant = await product.tenantIdOf("default");
    });
    after(() => product.stop());

    test("each service serves /metrics on a loopback port of its own, not on the SCIM port", async () => {
      const [gatewayMetrics] = product.gatewayMetricsUrls;
      const [directoryMetrics] = product.directoryMetricsUrls;
      assert.match(gatewayMetrics ?? "", /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.match(directoryMetrics ?? "", /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.notEqual(new URL(gatewayMetrics!).port, new URL(product.baseUrl).port);
      const onScimPort = await fetch(new URL("/metrics", product.baseUrl));
      assert.equal(onScimPort.status, 404);
      assert.doesNotMatch(await onScimPort.text(), /scimgw_/);
    });

    test("an Okta user lifecycle and an Entra group sync are counted by operation, status class, IdP and tenant", async () => {
      const client = scimClient(product.baseUrl, product.apiKey);
      const creates = 2;
      for (let i = 0; i < creates; i++) {
        const userName = randomUserName("okta-metrics");
        const lookup = await client.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers: okta });
        assert.equal(lookup.body.totalResults, 0);
        const body = { schemas: [userSchemaUrn], userName, name: { givenName: "Ada", familyName: "L" }, active: true };
        const created = await client.post("/Users", body, { headers: okta });
        assert.equal(created.status, 201);
        const id: string = created.body.id;
        assert.equal((await client.put(`/Users/${id}`, { ...body, displayName: "Ada L" }, { headers: okta })).status, 200);
        const deactivate = { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: false } }] };
        assert.equal((await client.patch(`/Users/${id}`, deactivate, { headers: okta })).status, 200);
      }
      // Okta before its key is configured: refused before any tenant is known.
      assert.equal((await scimClient(product.baseUrl, undefined).get("/Users", { headers: okta })).status, 401);
      // An Okta filter the SCIM core refuses: its scimType is a label.
      assert.equal((await client.get(`/Users?filter=${encodeURIComponent("userName zz 1")}`, { headers: okta })).status, 400);

      const members: string[] = [];
      for (let i = 0; i < 2; i++) members.push((await client.post("/Users", entraUser(), { headers: entra })).body.id);
      const group = await client.post(
        "/Groups",
        { schemas: [groupSchemaUrn], displayName: `Entra ${randomUserName("g")}` },
        { headers: entra },
      );
      assert.equal(group.status, 201);
      const add = patchRequest(
        compliantOp.add(
          "members",
          members.map((value) => ({ value })),
        ),
      );
      assert.equal((await client.patch(`/Groups/${group.body.id}`, add, { headers: entra })).status, 204);
      const remove = patchRequest(legacyOp.remove("members", [{ value: members[0] }]));
      assert.equal((await client.patch(`/Groups/${group.body.id}`, remove, { headers: entra })).status, 204);

      const gateway = await scrape(product.gatewayMetricsUrls[0]!);
      const requests = (operation: string, statusClass: string, idp: string, who = tenant, scimType = "") =>
        gateway.get(
          seriesOf("scimgw_gateway_requests_total", { operation, status_class: statusClass, scim_type: scimType, idp, tenant: who }),
        );
      assert.equal(requests("users.create", "2xx", "okta"), creates);
      assert.equal(requests("users.list", "2xx", "okta"), creates);
      assert.equal(requests("users.replace", "2xx", "okta"), creates);
      assert.equal(requests("users.patch", "2xx", "okta"), creates);
      assert.equal(requests("users.list", "4xx", "okta", "none"), 1);
      assert.equal(requests("users.list", "4xx", "okta", tenant, "invalidFilter"), 1);
      assert.equal(requests("users.create", "2xx", "entra"), 2);
      assert.equal(requests("groups.create", "2xx", "entra"), 1);
      assert.equal(requests("groups.patch", "2xx", "entra"), 2);
      assert.equal(
        gateway.get(
          seriesOf("scimgw_gateway_request_duration_seconds_count", {
            operation: "users.create",
            status_class: "2xx",
            idp: "okta",
            tenant,
          }),
        ),
        creates,
      );
      assert.equal(gateway.get(seriesOf("scimgw_gateway_group_patch_operations_count", { idp: "entra" })), 2);
      assert.equal(gateway.get(seriesOf("scimgw_gateway_group_patch_member_values_sum", { idp: "entra" })), 3);
      assert.ok((gateway.get("process_cpu_user_seconds_total") ?? 0) > 0, "process metrics are there");
      assert.ok((gateway.get("scimgw_event_loop_busy_seconds_total") ?? 0) > 0, "the event loop's busy seconds are there");

      const directory = await scrape(product.directoryMetricsUrls[0]!);
      const calls = (service: string, method: string, code = "OK") =>
        directory.get(
          seriesOf("scimgw_directory_rpc_calls_total", {
            grpc_service: `scimgw.directory.v1.${service}`,
            grpc_method: method,
            grpc_code: code,
          }),
        );
      assert.equal(calls("UserService", "CreateUser"), creates + 2);
      assert.equal(calls("UserService", "ReplaceUser"), creates);
      assert.equal(calls("UserService", "PatchUser"), creates);
      assert.equal(calls("GroupService", "CreateGroup"), 1);
      assert.equal(calls("GroupService", "PatchGroup"), 2);
      // SQLite: the read connections, by default one per libuv thread (4; the product runs without UV_THREADPOOL_SIZE).
      assert.equal(directory.get("scimgw_directory_db_pool_connections_max"), store === "sqlite" ? 4 : 10);
      assert.equal(directory.get("scimgw_directory_change_streams_open"), 0);
      assert.ok((directory.get("process_cpu_user_seconds_total") ?? 0) > 0, "process metrics are there");
      assert.ok((directory.get("scimgw_event_loop_busy_seconds_total") ?? 0) > 0, "the event loop's busy seconds are there");
    });
  });
