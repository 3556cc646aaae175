import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { GroupSchema, UserSchema } from "@scimgw/proto";
import { createFilterPredicate, parseFilter, resolveFilter, userResourceType } from "@scimgw/scim";
import { userFromProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import * as normalizeExternalIds from "../database/migrations/0013-normalize-external-ids.js";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";

// "é" typed two ways: precomposed U+00E9, and "e" followed by the combining acute accent U+0301.
const composed = "ext-\u00e9";
const decomposed = "ext-e\u0301";

for (const storeUnderTest of storesUnderTest) {
  describe(`externalId in NFC on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("nfc")).id;
    });
    after(() => dispose());

    test("a filter and a lookup find an externalId in either form, as the in-memory evaluator does; the document keeps it as sent", async () => {
      const users = createUserStore(db);
      const created = await users.create(tenantId, create(UserSchema, { userName: "nfc@example.com", externalId: decomposed }));
      const filter = resolveFilter(parseFilter(`externalId eq "${composed}"`), userResourceType);
      assert.equal(createFilterPredicate(filter, userResourceType)(userFromProto(created)), true, "in memory");
      assert.deepEqual(
        (await users.list(tenantId, filter, 1, 10)).users.map((user) => user.id),
        [created.id],
        "in the store",
      );
      assert.equal((await users.getBy(tenantId, "externalId", composed)).id, created.id);
      assert.equal((await users.get(tenantId, created.id)).externalId, decomposed, "returned exactly as the IdP sent it");
    });

    test("groups hold their externalId in NFC too", async () => {
      const group = await createGroupStore(db).create(tenantId, create(GroupSchema, { displayName: "NFC", externalId: decomposed }));
      assert.equal((await createGroupStore(db).getBy(tenantId, "externalId", composed)).group.id, group.id);
    });

    test("the migration rewrites rows written before it, and its down puts back the value as sent", async () => {
      const user = await createUserStore(db).create(tenantId, create(UserSchema, { userName: "old@example.com", externalId: decomposed }));
      // As a row written before the migration: the column as sent.
      await db("users").where({ tenant_id: tenantId, id: user.id }).update({ external_id: decomposed });
      const column = async () => (await db("users").where({ tenant_id: tenantId, id: user.id }).first("external_id"))?.external_id;
      await normalizeExternalIds.up(db);
      assert.equal(await column(), composed);
      await normalizeExternalIds.down(db);
      assert.equal(await column(), decomposed, "down restores the value as sent, from the resource document");
      await normalizeExternalIds.up(db);
    });
  });
}
