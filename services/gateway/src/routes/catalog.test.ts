// The catalog endpoints and keyed discovery in process, over real HTTP, against a fake directory
// that records its calls: which paths reach the catalog, how paging reaches the directory, and that
// a path that is no catalog endpoint costs one rate-limit token, as any other SCIM request.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { create } from "@bufbuild/protobuf";
import { Code, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import { EntitlementKind, EntitlementSchema, EntitlementTypeSchema } from "@scimgw/proto";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import { createMemoryRateLimiterStore } from "../rate-limit/rate-limiter-store.js";

function fakeDirectory() {
  const calls: string[] = [];
  const licenses = ["basic", "enterprise", "pro"].map((id) =>
    create(EntitlementSchema, { type: "License", id, displayName: id.toUpperCase() }),
  );
  const directory = {
    // Each key its own id, so each has its own rate-limit allowance.
    apiKeys: {
      verifyApiKey: async ({ keySha256 }: { keySha256: string }) => ({ tenantId: "t1", keyId: keySha256.slice(0, 12), keyLabel: "okta" }),
    },
    users: {},
    groups: {},
    entitlements: {
      async listEntitlementTypes() {
        calls.push("listEntitlementTypes");
        return {
          types: [
            create(EntitlementTypeSchema, { name: "License", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Licenses" }),
            create(EntitlementTypeSchema, { name: "Role", kind: EntitlementKind.ROLE, endpoint: "/Roles" }),
          ],
        };
      },
      async listEntitlements(request: { startIndex: bigint; count: number }) {
        calls.push(`listEntitlements ${request.startIndex} ${request.count}`);
        const start = Number(request.startIndex) - 1;
        return { entitlements: licenses.slice(start, start + request.count), totalResults: BigInt(licenses.length) };
      },
      async getEntitlement(request: { id: string }) {
        calls.push(`getEntitlement ${request.id}`);
        const found = licenses.find((entry) => entry.id === request.id);
        if (found === undefined) throw new RpcError(Code.NOT_FOUND, `License "${request.id}" not found`);
        return { entitlement: found };
      },
    },
    close() {},
  };
  return { directory: directory as unknown as DirectoryClient, calls };
}

describe("the catalog endpoints over a fake directory", () => {
  const fake = fakeDirectory();
  let server: Server;
  let base = "";
  const send = async (method: string, path: string, key: string | null = "k") => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(key === null ? {} : { Authorization: `Bearer ${key}` }), Accept: "application/scim+json" },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
  };

  before(async () => {
    const app = createGateway({
      ...testGatewayOptions(fake.directory),
      apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 1000, maxEntries: 10 },
      // A per-key allowance of 30 requests that does not refill during the test.
      rateLimits: {
        perKey: { perSecond: 0.001, burst: 30 },
        perTenant: { perSecond: 1000, burst: 1000 },
        failedAuthenticationsPerMinute: 100,
        store: createMemoryRateLimiterStore(),
      },
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${scimRoot}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    fake.calls.length = 0;
  });

  test("GET {endpoint}?count=1&startIndex=1 asks the directory for that page; itemsPerPage is what it holds", async () => {
    const page = await send("GET", "/Licenses?count=1&startIndex=1");
    assert.equal(page.status, 200);
    assert.deepEqual(fake.calls, ["listEntitlementTypes", "listEntitlements 1 1"]);
    assert.deepEqual([page.body.totalResults, page.body.itemsPerPage, page.body.startIndex], [3, 1, 1]);
    assert.equal(page.body.Resources[0].type, "License");
    const entry = await send("GET", "/licenses/pro");
    assert.equal(entry.body.id, "pro");
    assert.equal((await send("GET", "/Licenses/gold")).status, 404);
  });

  test("writes are 405 with Allow; a path that is no catalog endpoint is the SCIM routes' own answer", async () => {
    const write = await send("POST", "/Licenses");
    assert.equal(write.status, 405);
    assert.equal(write.headers.get("allow"), "GET, HEAD");
    assert.deepEqual(write.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
    assert.equal((await send("GET", "/Seats")).status, 404);
    // /Users' missing methods stay 405, and never reach the catalog.
    fake.calls.length = 0;
    assert.equal((await send("DELETE", "/Users")).status, 405);
    assert.deepEqual(fake.calls, []);
  });

  test("keyed discovery lists the catalog types; without a key the directory is not asked", async () => {
    const keyed = await send("GET", "/ResourceTypes");
    assert.deepEqual(
      keyed.body.Resources.map((r: { id: string }) => r.id),
      ["User", "Group", "License", "Role"],
    );
    fake.calls.length = 0;
    const anonymous = await send("GET", "/ResourceTypes", null);
    assert.deepEqual(
      anonymous.body.Resources.map((r: { id: string }) => r.id),
      ["User", "Group"],
    );
    assert.deepEqual(fake.calls, []);
  });

  test("a catalog endpoint and a path that is none each cost one rate-limit token, as /Groups does", async () => {
    const allowed: Record<string, number> = {};
    for (const path of ["/Groups/g1", "/Roles", "/Seats"]) {
      // A key of its own for each path, so each starts with the same allowance.
      let count = 0;
      while (count < 100 && (await send("GET", path, `key-for-${path}`)).status !== 429) count++;
      allowed[path] = count;
    }
    assert.ok((allowed["/Groups/g1"] ?? 0) > 10, JSON.stringify(allowed));
    assert.deepEqual(allowed, { "/Groups/g1": allowed["/Groups/g1"], "/Roles": allowed["/Groups/g1"], "/Seats": allowed["/Groups/g1"] });
  });
});
