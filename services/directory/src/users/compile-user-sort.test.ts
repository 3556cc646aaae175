import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore, type UserStore } from "./user-store.js";

for (const storeUnderTest of storesUnderTest) {
  describe(`sortBy/sortOrder (RFC 7644 §3.4.2.3) on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("sorting")).id;
      await store.create(
        tenant,
        create(UserSchema, {
          userName: "carol",
          title: "b",
          name: { familyName: "Zeta" },
          emails: [{ value: "z@x" }, { value: "a@x", primary: true }],
        }),
      );
      await store.create(tenant, create(UserSchema, { userName: "Alice", name: { familyName: "alpha" }, emails: [{ value: "m@x" }] }));
      await store.create(tenant, create(UserSchema, { userName: "bob", title: "A", name: { familyName: "Beta" } }));
    });
    after(() => dispose());

    const order = async (attribute: string, direction: "ascending" | "descending", subAttribute?: string) =>
      (
        await store.list(tenant, undefined, 1, 10, { by: { attribute, ...(subAttribute ? { subAttribute } : {}) }, order: direction })
      ).users.map((user) => user.userName);

    test("userName sorts case-insensitively, both ways", async () => {
      assert.deepEqual(await order("userName", "ascending"), ["Alice", "bob", "carol"]);
      assert.deepEqual(await order("username", "descending"), ["carol", "bob", "Alice"]);
    });

    test("a sub-attribute of a complex attribute", async () => {
      assert.deepEqual(await order("name", "ascending", "familyName"), ["Alice", "bob", "carol"]);
    });

    test("unassigned values sort last ascending and first descending", async () => {
      assert.deepEqual(await order("title", "ascending"), ["bob", "carol", "Alice"]);
      assert.deepEqual(await order("title", "descending"), ["Alice", "carol", "bob"]);
    });

    test("a multi-valued attribute sorts by its primary value, else its first", async () => {
      assert.deepEqual(await order("emails", "ascending"), ["carol", "Alice", "bob"]);
    });

    test("paging a sorted list is stable", async () => {
      const sort = { by: { attribute: "title" }, order: "ascending" as const };
      const pages = [await store.list(tenant, undefined, 1, 2, sort), await store.list(tenant, undefined, 3, 2, sort)];
      assert.deepEqual(
        pages.flatMap((page) => page.users.map((user) => user.userName)),
        ["bob", "carol", "Alice"],
      );
    });
  });
}
