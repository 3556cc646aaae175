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
      assert.equal(verified?.status, "valid");
      assert.equal(verified?.key.tenantId, tenant.id);
      assert.ok(verified?.key.lastUsedAt);
      assert.equal(await keys.verify(hashApiKey(`${key}x`)), undefined);

      // Two live keys during a rotation; revoking one leaves the other. A revoked key is still
      // known, so its refusal can be recorded in its tenant's activity log.
      const second = await keys.issue(tenant.id, "rotation");
      await keys.revoke(tenant.id, info.id);
      const revoked = await keys.verify(hashApiKey(key));
      assert.deepEqual([revoked?.status, revoked?.key.id, revoked?.key.tenantId], ["revoked", info.id, tenant.id]);
      const live = await keys.verify(hashApiKey(second.key));
      assert.deepEqual([live?.status, live?.key.id], ["valid", second.info.id]);
      await assert.rejects(keys.revoke(tenant.id, info.id), /not found/);
    } finally {
      await dispose();
    }
  });

for (const store of storesUnderTest)
  test(`${store.name}: a suspended tenant's keys are refused as suspended, and work again once it resumes`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenants = createTenantStore(db);
      const tenant = await tenants.create("acme");
      const other = await tenants.create("globex");
      const keys = createApiKeyStore(db);
      const { key, info } = await keys.issue(tenant.id, "okta");
      const otherKey = await keys.issue(other.id, "entra");
      const lastUsed = (await keys.verify(hashApiKey(key)))?.key.lastUsedAt;

      const suspended = await tenants.suspend(tenant.id);
      assert.ok(suspended.suspendedAt);
      // Suspending again keeps the first suspension's time.
      assert.equal((await tenants.suspend(tenant.id)).suspendedAt, suspended.suspendedAt);
      const refused = await keys.verify(hashApiKey(key));
      assert.deepEqual([refused?.status, refused?.key.id, refused?.key.lastUsedAt], ["suspended", info.id, lastUsed]);
      assert.equal((await keys.verify(hashApiKey(otherKey.key)))?.status, "valid", "other tenants are untouched");
      assert.equal((await keys.list(tenant.id)).length, 1, "nothing of the tenant is deleted");

      assert.equal((await tenants.resume(tenant.id)).suspendedAt, null);
      assert.equal((await keys.verify(hashApiKey(key)))?.status, "valid");
      await assert.rejects(tenants.suspend("00000000-0000-4000-8000-000000000000"), /not found/);
    } finally {
      await dispose();
    }
  });
