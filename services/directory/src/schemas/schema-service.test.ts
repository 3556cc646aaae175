// SchemaService through the real server: the scopes its methods need, its statuses on the wire,
// and the revision VerifyApiKey reports; on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Knex } from "knex";
import { ApiKeyService, ExtendedResourceType, SchemaAttributeType, SchemaService } from "@scimgw/proto";
import { Code, createClient } from "@scimgw/grpc";
import { hashApiKey } from "../api-keys/api-key.js";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { requiredScopeOf } from "../service-credentials/required-scopes.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { refusedWith, serveDirectory, type ServedDirectory } from "../test-support/serve-directory.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";

const urn = "urn:acme:scim:schemas:2.0:User";
const extension = {
  id: urn,
  name: "AcmeUser",
  resourceType: ExtendedResourceType.USER,
  attributes: [{ name: "region", type: SchemaAttributeType.STRING }],
};

test("changing a tenant's schema needs the admin scope; reading it, any", () => {
  assert.deepEqual(
    SchemaService.methods.map((method) => [method.name, requiredScopeOf(`${SchemaService.typeName}/${method.name}`)]),
    [
      ["ApplySchemaExtension", "admin"],
      ["GetSchemaExtension", "read-only"],
      ["ListSchemaExtensions", "read-only"],
    ],
  );
});

for (const storeUnderTest of storesUnderTest) {
  describe(`SchemaService on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let served: ServedDirectory;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      served = await serveDirectory(db);
      tenantId = (await createTenantStore(db).create("acme")).id;
    });
    after(async () => {
      served.close();
      await dispose();
    });

    test("an admin applies, a reader reads; a read-write credential may not apply", async () => {
      const admin = createClient(SchemaService, await served.connect("admin"));
      const reader = createClient(SchemaService, await served.connect("read-only", [tenantId]));
      const writer = createClient(SchemaService, await served.connect("read-write", [tenantId]));
      await assert.rejects(writer.applySchemaExtension({ tenantId, extension }), refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));

      const applied = await admin.applySchemaExtension({ tenantId, extension });
      assert.equal(applied.created, true);
      assert.equal(applied.schemaRevision, 1n);
      assert.equal((await reader.getSchemaExtension({ tenantId, id: urn.toLowerCase() })).extension?.id, urn);
      const listed = await reader.listSchemaExtensions({ tenantId });
      assert.deepEqual(
        listed.extensions.map((e) => e.id),
        [urn],
      );
      assert.equal(listed.schemaRevision, 1n);

      await assert.rejects(
        admin.applySchemaExtension({
          tenantId,
          extension: { ...extension, attributes: [{ name: "1st", type: SchemaAttributeType.STRING }] },
        }),
        refusedWith(Code.INVALID_ARGUMENT, "INVALID_SCHEMA"),
      );
      await assert.rejects(admin.applySchemaExtension({ tenantId }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"));
      await assert.rejects(admin.applySchemaExtension({ tenantId: "no-such-tenant", extension }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      await assert.rejects(reader.getSchemaExtension({ tenantId, id: "urn:acme:other" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      await assert.rejects(
        admin.applySchemaExtension({ tenantId, extension: { ...extension, resourceType: ExtendedResourceType.GROUP } }),
        refusedWith(Code.FAILED_PRECONDITION, "INCOMPATIBLE_SCHEMA_CHANGE", { attributes: urn }),
      );
    });

    test("VerifyApiKey reports the tenant's schema revision", async () => {
      const other = (await createTenantStore(db).create("revisions")).id;
      const { key } = await createApiKeyStore(db).issue(other, "okta");
      const keys = createClient(ApiKeyService, await served.connect("read-write"));
      assert.equal((await keys.verifyApiKey({ keySha256: hashApiKey(key) })).schemaRevision, 0n);
      await createClient(SchemaService, await served.connect("admin")).applySchemaExtension({ tenantId: other, extension });
      assert.equal((await keys.verifyApiKey({ keySha256: hashApiKey(key) })).schemaRevision, 1n);
    });
  });
}
