// Issue 11, "no tenant can hurt another", through the real product on each store: rate limits
// per key and per tenant (and an operator's per-tenant limit set with the admin CLI), service
// credentials limited to tenants, owner-only files, CLI output that cannot drive a terminal, and
// links that never take a forged Host header's origin.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { request } from "node:http";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { openDatabase } from "@scimgw/directory";
import { createDirectoryClient, ErrorReason, RpcError } from "@scimgw/directory-client";
import { Product } from "./support/product.js";
import { randomUserName, userSchemaUrn } from "./support/scim-client.js";

/** Sends `n` requests at once; how many got 200 and 429, and one 429 if any. */
async function burst(baseUrl: string, key: string, n: number) {
  const responses = await Promise.all(
    Array.from({ length: n }, () => fetch(`${baseUrl}/Users?count=0`, { headers: { Authorization: `Bearer ${key}` } })),
  );
  const refused = responses.find((response) => response.status === 429);
  return {
    ok: responses.filter((response) => response.status === 200).length,
    limited: responses.filter((response) => response.status === 429).length,
    refused: refused && { retryAfter: refused.headers.get("retry-after"), body: (await refused.json()) as Record<string, unknown> },
  };
}

/** A GET with a Host header of our choosing (fetch does not allow setting it). */
function getWithHost(url: string, host: string, key: string): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { Host: host, Authorization: `Bearer ${key}`, "Content-Type": "application/scim+json" } },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ schemas: [userSchemaUrn], userName: randomUserName("host") }));
  });
}

for (const store of await storeKindsUnderTest())
  describe(`tenant isolation on ${store}`, () => {
    let product: Product;
    before(async () => {
      product = await Product.start({
        store,
        gatewayEnv: {
          API_KEY_CACHE_SECONDS: "1",
          RATE_LIMIT_KEY_PER_SECOND: "5",
          RATE_LIMIT_KEY_BURST: "10",
          RATE_LIMIT_TENANT_PER_SECOND: "8",
          RATE_LIMIT_TENANT_BURST: "16",
        },
        directoryEnv: { SERVICE_CREDENTIAL_CACHE_SECONDS: "0" },
      });
    });
    after(() => product.stop());

    test("a key past its limit gets 429 with Retry-After and a SCIM body; another tenant is unaffected; a tenant limit set with the CLI applies after the key cache period", async () => {
      const otherKey = await product.seedTenant("neighbour");
      const limited = await burst(product.baseUrl, product.apiKey, 40);
      assert.ok(limited.limited > 0, "the default tenant was limited");
      assert.match(limited.refused?.retryAfter ?? "", /^[1-9]\d*$/);
      assert.deepEqual(limited.refused?.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
      assert.equal(limited.refused?.body.status, "429");
      assert.match(String(limited.refused?.body.detail), /per second.*Retry after/);
      assert.equal((await burst(product.baseUrl, otherKey, 5)).limited, 0, "the neighbour tenant is not slowed");

      const set = await product.admin(["tenants", "limits", "neighbour", "--per-second", "100", "--burst", "200"]);
      assert.match(set, /100\/s, burst 200/);
      assert.match(await product.admin(["tenants", "list"]), /neighbour.*100\/s, burst 200/);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // the key cache period, and the buckets refill
      assert.equal((await burst(product.baseUrl, otherKey, 60)).limited, 0, "the raised limit arrived with the next verification");
      await product.admin(["tenants", "limits", "neighbour", "--default"]);
      await assert.rejects(product.admin(["tenants", "limits", "neighbour", "--per-second", "10", "--burst", "5"]), /--burst/);
    });

    test("a credential limited to one tenant reads it, and is refused with TENANT_NOT_GRANTED for another, for streams and for key checks", async () => {
      await product.seedTenant("other");
      const otherId = await product.tenantIdOf("other");
      const defaultId = await product.tenantIdOf("default");
      await assert.rejects(product.admin(["credentials", "issue", "x", "--scope", "read-only"]), /--tenant .* or give --all-tenants/);
      const secret = await product.issueServiceCredential("billing", "read-only", ["default"]);
      assert.match(await product.admin(["credentials", "list"]), /billing.*read-only.*default/);
      const client = createDirectoryClient({ address: product.directoryAddresses[0]!, serviceCredential: secret });
      const notGranted = (error: unknown) => {
        assert.ok(error instanceof RpcError, String(error));
        assert.equal(error.reason, ErrorReason.TENANT_NOT_GRANTED);
        return true;
      };
      try {
        await client.users.listUsers({ tenantId: defaultId });
        await assert.rejects(client.users.getUser({ tenantId: otherId, id: "x" }), notGranted);
        await assert.rejects(client.users.listUsers({ tenantId: otherId }), notGranted);
        await assert.rejects(async () => {
          for await (const _ of client.watchChanges(otherId)) void _;
        }, notGranted);
        await assert.rejects(client.apiKeys.verifyApiKey({ keySha256: "0".repeat(64) }), (error: unknown) => {
          assert.ok(error instanceof RpcError);
          // read-only is refused for its scope first; a read-write credential limited to a tenant for its tenant.
          return true;
        });
      } finally {
        client.close();
      }
      const writer = await product.issueServiceCredential("writer", "read-write", ["default"]);
      const writerClient = createDirectoryClient({ address: product.directoryAddresses[0]!, serviceCredential: writer });
      try {
        await assert.rejects(writerClient.apiKeys.verifyApiKey({ keySha256: "0".repeat(64) }), notGranted);
      } finally {
        writerClient.close();
      }
    });

    test("the CLI shows control and bidi characters in names as escapes, as in a tenant named before names were checked", async () => {
      const hostile = "evil\u001b]0;owned\u0007\u202etenant";
      assert.equal((await product.adminFailure(["tenants", "create", hostile])).code, 2);
      const db = openDatabase(product.databaseLocation);
      try {
        await db("tenants").insert({ id: randomUUID(), name: hostile, created_at: new Date().toISOString() });
      } finally {
        await db.destroy();
      }
      const listing = await product.admin(["tenants", "list"]);
      assert.ok(!listing.includes("\u001b") && !listing.includes("\u202e"));
      assert.match(listing, /evil\\u001b\]0;owned\\u0007\\u202etenant/);
    });

    test("Location never takes a forged Host's origin; an allowed Host is used as sent", async () => {
      const url = `${product.baseUrl}/Users`;
      const forged = await getWithHost(url, "evil.example.com", product.apiKey);
      assert.equal(forged.status, 201);
      assert.ok(forged.location?.startsWith("/services/scim/v2/Users/"), forged.location);
      assert.ok(!forged.body.includes("evil.example.com"));
      const local = await getWithHost(url, new URL(url).host, product.apiKey);
      assert.ok(local.location?.startsWith(`${new URL(url).origin}/services/scim/v2/Users/`), local.location);
    });

    if (store === "sqlite")
      test("a fresh data folder is 0700, the database and its WAL and SHM 0600", () => {
        const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);
        const database = path.join(product.dataDir, "directory.sqlite");
        for (const file of [database, `${database}-wal`, `${database}-shm`, product.gatewayCredentialFile])
          assert.equal(modeOf(file), "600", file);
      });
  });
