// A connector base URL typed with a trailing slash doubles the slash before each resource path;
// the gateway answers those requests as the single-slash ones, over real HTTP, in process.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { DirectoryClient } from "@scimgw/directory-client";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";

const listed: Array<{ startIndex: bigint; count: number }> = [];
const directory = {
  apiKeys: { verifyApiKey: async () => ({ tenantId: "t1", keyId: "k1" }) },
  users: {
    async listUsers(request: { startIndex: bigint; count: number }) {
      listed.push(request);
      return { users: [], totalResults: 0n };
    },
  },
} as unknown as DirectoryClient;

const server: Server = createGateway(testGatewayOptions(directory)).listen(0, "127.0.0.1");
after(() => server.close());

async function get(path: string, headers: Record<string, string> = {}) {
  await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once("listening", resolve)));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test("a doubled slash after the base URL reaches the resource: Okta's connector test lookup", async () => {
  const filter = encodeURIComponent('userName eq "ada@example.com"');
  const response = await get(`${scimRoot}//Users?filter=${filter}&startIndex=1&count=100`, { Authorization: "Bearer key" });
  assert.equal(response.status, 200);
  assert.equal(response.body.totalResults, 0);
  assert.equal(listed.length, 1);
});

test("doubled slashes anywhere in the path are merged, discovery included", async () => {
  const response = await get(`/services//scim/v2///ServiceProviderConfig`);
  assert.equal(response.status, 200);
  assert.deepEqual(response.body.schemas, ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]);
});

test("a path that is wrong with single slashes stays a SCIM 404", async () => {
  const response = await get(`${scimRoot}//Nothing`, { Authorization: "Bearer key" });
  assert.equal(response.status, 404);
  assert.deepEqual(response.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
});
