import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { GroupSchema, UserSchema } from "@scimgw/proto";
import { ScimError } from "@scimgw/scim";
import type { Knex } from "knex";
import { createGroupStore } from "../groups/group-store.js";
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
      // Alice is in zoo directly and, through it, in Apes; carol is in Birds; bob in no group.
      const idOf = async (userName: string) => (await store.getBy(tenant, "userName", userName)).id;
      const groups = createGroupStore(db);
      const zoo = await groups.create(tenant, create(GroupSchema, { displayName: "zoo", members: [{ value: await idOf("Alice") }] }));
      await groups.create(tenant, create(GroupSchema, { displayName: "Apes", members: [{ value: zoo.id }] }));
      await groups.create(tenant, create(GroupSchema, { displayName: "Birds", members: [{ value: await idOf("carol") }] }));
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

    test("groups sort by the first group the representation lists (RFC 7644 §3.4.2.3: groups have no primary)", async () => {
      assert.deepEqual(await order("groups", "ascending", "display"), ["Alice", "carol", "bob"]);
      assert.deepEqual(await order("groups", "descending", "display"), ["bob", "carol", "Alice"]);
      // Alice's first group is Apes, which she is in through zoo.
      assert.deepEqual(await order("groups", "ascending", "type"), ["carol", "Alice", "bob"]);
      const firstGroup = new Map(
        (await store.list(tenant, undefined, 1, 10)).users.map((user) => [user.userName, user.groups[0]?.value ?? "\uffff"]),
      );
      // Ids are lowercase ASCII, where code-unit order is the stores' byte order.
      const byFirstGroup = [...firstGroup.keys()].sort((a, b) => {
        const [x, y] = [firstGroup.get(a) ?? "", firstGroup.get(b) ?? ""];
        return x < y ? -1 : x > y ? 1 : 0;
      });
      assert.deepEqual(await order("groups", "ascending"), byFirstGroup);
      assert.deepEqual(await order("groups", "ascending", "value"), byFirstGroup);
    });

    test("a sort that names no order the directory can keep is a 400 invalidValue saying why", async () => {
      const refusals: Array<[string, string | undefined, RegExp]> = [
        ["name", undefined, /sub-attribute/],
        ["password", undefined, /never returned/],
        ["meta", "location", /derived/],
        ["meta", "version", /derived/],
        ["groups", "$ref", /base URL/],
      ];
      for (const [attribute, subAttribute, detail] of refusals) {
        await assert.rejects(
          order(attribute, "ascending", subAttribute),
          (error) => error instanceof ScimError && error.scimType === "invalidValue" && detail.test(error.message),
          `${attribute}.${subAttribute}`,
        );
      }
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
