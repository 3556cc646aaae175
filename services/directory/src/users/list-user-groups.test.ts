import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  BatchGetUsersRequestSchema,
  GetUserRequestSchema,
  GroupSchema,
  ListUserGroupsRequestSchema,
  ListUsersRequestSchema,
  UserKeyKind,
  UserSchema,
} from "@scimgw/proto";
import { parseFilter } from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import { Code, RpcError } from "@scimgw/grpc";
import type { Knex } from "knex";
import { createGroupStore, type GroupStore } from "../groups/group-store.js";
import { memberships } from "../memberships/membership-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "./user-service.js";
import { createUserStore, type UserStore } from "./user-store.js";

function rejectsWith(code: Code, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`ListUserGroups on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let users: UserStore;
    let groups: GroupStore;
    let service: ReturnType<typeof createUserService>;
    let tenantId = "";
    let userId = "";
    const groupIds: Record<string, string> = {};

    const newGroup = async (displayName: string, members: string[] = []) => {
      groupIds[displayName] = (
        await groups.create(tenantId, create(GroupSchema, { displayName, members: members.map((value) => ({ value })) }))
      ).id;
      return groupIds[displayName]!;
    };
    const addMember = (groupId: string, memberId: string) => db.transaction((trx) => memberships.add(trx, tenantId, groupId, [memberId]));
    const listGroups = async (includeIndirect: boolean, user = userId) =>
      (
        await service.listUserGroups(create(ListUserGroupsRequestSchema, { tenantId, userId: user, includeIndirect }), undefined as never)
      ).groups!.map((group) => [group.displayName, group.direct]);

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      users = createUserStore(db);
      groups = createGroupStore(db);
      service = createUserService(users);
      tenantId = (await createTenantStore(db).create("nesting")).id;
      userId = (await users.create(tenantId, create(UserSchema, { userName: "nested@example.com" }))).id;
      // beta ∋ user; Alpha ∋ beta; gamma ∋ Alpha and the user; Alpha ∋ gamma closes a cycle.
      await newGroup("beta", [userId]);
      await newGroup("Alpha", [groupIds.beta!]);
      await newGroup("gamma", [groupIds.Alpha!, userId]);
      await addMember(groupIds.Alpha!, groupIds.gamma!);
      await newGroup("unrelated");
    });
    after(() => dispose());

    test("direct groups only, ordered by displayName in any letter case", async () => {
      assert.deepEqual(await listGroups(false), [
        ["beta", true],
        ["gamma", true],
      ]);
    });

    test("with nested groups, each group once, through a cycle, direct where the user is a member itself", async () => {
      assert.deepEqual(await listGroups(true), [
        ["Alpha", false],
        ["beta", true],
        ["gamma", true],
      ]);
    });

    test("nesting has no depth limit", async () => {
      const deepUser = (await users.create(tenantId, create(UserSchema, { userName: "deep@example.com" }))).id;
      let inner = await newGroup("level-00", [deepUser]);
      for (let level = 1; level < 25; level++) inner = await newGroup(`level-${String(level).padStart(2, "0")}`, [inner]);
      const found = await listGroups(true, deepUser);
      assert.equal(found.length, 25);
      assert.deepEqual(found[0], ["level-00", true]);
      assert.deepEqual(found[24], ["level-24", false]);
    });

    test("User.groups, filled by the same query, agrees", async () => {
      const [user] = await users.withGroups(tenantId, [await users.get(tenantId, userId)]);
      assert.deepEqual(
        user!.groups.map((group) => [group.display, group.type]),
        [
          ["Alpha", "indirect"],
          ["beta", "direct"],
          ["gamma", "direct"],
        ],
      );
    });

    test("every read of the user carries the same groups: by key, listed by offset or cursor, batched", async () => {
      const expected = (await users.withGroups(tenantId, [await users.get(tenantId, userId)]))[0]!.groups;
      const userName = "nested@example.com";
      const filter = filterToProto(parseFilter(`userName eq "${userName}"`));
      const reads = {
        GetUser: (await service.getUser(create(GetUserRequestSchema, { tenantId, id: userId }), undefined as never)).user,
        "GetUser by userName": (await service.getUser(create(GetUserRequestSchema, { tenantId, userName }), undefined as never)).user,
        "ListUsers by offset": (
          await service.listUsers(create(ListUsersRequestSchema, { tenantId, filter, startIndex: 1n, count: 10 }), undefined as never)
        ).users?.[0],
        "ListUsers by cursor": (
          await service.listUsers(create(ListUsersRequestSchema, { tenantId, filter, count: 10 }), undefined as never)
        ).users?.[0],
        BatchGetUsers: (
          await service.batchGetUsers(
            create(BatchGetUsersRequestSchema, { tenantId, keyKind: UserKeyKind.ID, keys: [userId] }),
            undefined as never,
          )
        ).users?.[0],
      };
      for (const [read, user] of Object.entries(reads)) assert.deepEqual(user?.groups, expected, read);
    });

    test("GetUser and a userName eq lookup by offset are one statement each, nested groups and all", async () => {
      const filter = filterToProto(parseFilter('userName eq "nested@example.com"'));
      const statements: string[] = [];
      const record = (query: { sql: string }) => statements.push(query.sql);
      db.on("query", record);
      try {
        await service.getUser(create(GetUserRequestSchema, { tenantId, id: userId }), undefined as never);
        assert.equal(statements.length, 1, statements.join("\n"));
        // The tenant's change sequence, which the offset-position cache compares, is read in it too.
        await service.listUsers(create(ListUsersRequestSchema, { tenantId, filter, startIndex: 1n, count: 10 }), undefined as never);
        assert.equal(statements.length, 2, statements.join("\n"));
      } finally {
        db.removeListener("query", record);
      }
    });

    test("a user in no group has none; an unknown user, or a group's id, is NOT_FOUND", async () => {
      const loner = (await users.create(tenantId, create(UserSchema, { userName: "loner@example.com" }))).id;
      assert.deepEqual(await listGroups(true, loner), []);
      await assert.rejects(listGroups(true, "nope"), rejectsWith(Code.NOT_FOUND, /"nope"/));
      await assert.rejects(listGroups(true, groupIds.Alpha!), rejectsWith(Code.NOT_FOUND));
      await assert.rejects(listGroups(true, ""), rejectsWith(Code.INVALID_ARGUMENT, /user_id/));
    });
  });
}
