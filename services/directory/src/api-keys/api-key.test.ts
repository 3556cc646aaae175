import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { generateApiKey, hashApiKey } from "./api-key.js";
import { createApiKeyStore } from "./api-key-store.js";

test("a key is 256 random bits behind a recognisable prefix, and only its SHA-256 is kept", () => {
  const issued = generateApiKey();
  assert.match(issued.key, /^scimgw_[A-Za-z0-9_-]{43}$/);
  assert.equal(issued.sha256, createHash("sha256").update(issued.key).digest("hex"));
  assert.equal(hashApiKey(issued.key), issued.sha256);
  assert.notEqual(generateApiKey().key, issued.key);
});

for (const store of storesUnderTest)
  test(`${store.name}: a stored key verifies by hash, records its use, and stops verifying once revoked`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenant = await createTenantStore(db).create("acme");
      const keys = createApiKeyStore(db);
      const { key, info } = await keys.issue(tenant.id, "okta");
      const stored = await db("api_keys").first();
      assert.equal(stored.key_sha256, hashApiKey(key));
      assert.ok(!JSON.stringify(stored).includes(key), "the secret itself is never stored");

      const verified = await keys.verify(hashApiKey(key));
      assert.equal(verified?.tenantId, tenant.id);
      assert.ok(verified?.lastUsedAt);
      assert.equal(await keys.verify(hashApiKey(`${key}x`)), undefined);

      // Two live keys during a rotation; revoking one leaves the other.
      const second = await keys.issue(tenant.id, "rotation");
      await keys.revoke(tenant.id, info.id);
      assert.equal(await keys.verify(hashApiKey(key)), undefined);
      assert.equal((await keys.verify(hashApiKey(second.key)))?.id, second.info.id);
      await assert.rejects(keys.revoke(tenant.id, info.id), /not found/);
    } finally {
      await dispose();
    }
  });
