import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { BatchGetUsersRequestSchema, GetUserRequestSchema, UserKeyKind, UserSchema, type User, ErrorReason } from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { keysPerQuery, maxBatchKeys } from "../query/lookup-by-key.js";
import { createUserService } from "./user-service.js";
import { createUserStore, type UserStore } from "./user-store.js";

function rejectsWith(code: Code, reason?: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (reason !== undefined) assert.equal(ErrorReason[error.reason], reason);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`GetUser and BatchGetUsers on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let service: ReturnType<typeof createUserService>;
    let tenantId = "";
    let otherTenantId = "";
    const ids: Record<string, string> = {};
    // Users created in one millisecond are in id order: creation order is (created_at, id).
    let twinsInCreationOrder: string[] = [];

    const getUser = async (init: MessageInitShape<typeof GetUserRequestSchema>) =>
      (await service.getUser(create(GetUserRequestSchema, { tenantId, ...init }), undefined as never)).user as User;
    const batchGet = (keyKind: UserKeyKind, keys: string[]) =>
      service.batchGetUsers(create(BatchGetUsersRequestSchema, { tenantId, keyKind, keys }), undefined as never);
    const userNames = (users: readonly MessageInitShape<typeof UserSchema>[] | undefined) => (users ?? []).map((user) => user.userName);

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      service = createUserService(store);
      tenantId = (await createTenantStore(db).create("lookups")).id;
      otherTenantId = (await createTenantStore(db).create("elsewhere")).id;
      for (const [userName, externalId] of [
        ["Ada.Lovelace@Example.com", "ext-ada"],
        ["Straße@example.com", "EXT-1"],
        ["twin-a@example.com", "shared"],
        ["twin-b@example.com", "shared"],
        ["no-external@example.com", undefined],
      ] as const) {
        ids[userName] = (await store.create(tenantId, create(UserSchema, { userName, ...(externalId ? { externalId } : {}) }))).id;
      }
      await store.create(otherTenantId, create(UserSchema, { userName: "elsewhere@example.com", externalId: "ext-ada" }));
      twinsInCreationOrder = (
        await store.list(tenantId, { kind: "compare", path: { attribute: "externalId" }, operator: "eq", value: "shared" }, 1, 10)
      ).users.map((user) => user.userName);
    });
    after(() => dispose());

    test("GetUser by id still works as the gateway calls it", async () => {
      assert.equal((await getUser({ id: ids["Ada.Lovelace@Example.com"]! })).userName, "Ada.Lovelace@Example.com");
    });

    test("GetUser by userName in any letter case or Unicode form", async () => {
      for (const spelling of ["ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM", "Ada.Lovelace@Example.com"]) {
        assert.equal((await getUser({ userName: spelling })).id, ids["Ada.Lovelace@Example.com"], spelling);
      }
      assert.equal((await getUser({ userName: "STRASSE@EXAMPLE.COM" })).id, ids["Straße@example.com"]);
    });

    test("GetUser by externalId is caseExact and scoped to the tenant", async () => {
      assert.equal((await getUser({ externalId: "EXT-1" })).userName, "Straße@example.com");
      await assert.rejects(getUser({ externalId: "ext-1" }), rejectsWith(Code.NOT_FOUND, "NOT_FOUND", /externalId "ext-1"/));
      assert.equal((await getUser({ externalId: "ext-ada" })).userName, "Ada.Lovelace@Example.com");
    });

    test("GetUser fills the user's groups, as before", async () => {
      assert.deepEqual((await getUser({ userName: "twin-a@example.com" })).groups, []);
    });

    test("an externalId shared by several users is FAILED_PRECONDITION, not an arbitrary one", async () => {
      await assert.rejects(
        getUser({ externalId: "shared" }),
        rejectsWith(Code.FAILED_PRECONDITION, "AMBIGUOUS_EXTERNAL_ID", /several users/),
      );
    });

    test("GetUser for an unknown key is NOT_FOUND naming it", async () => {
      await assert.rejects(getUser({ id: "nope" }), rejectsWith(Code.NOT_FOUND, "NOT_FOUND", /"nope"/));
      await assert.rejects(
        getUser({ userName: "nobody@example.com" }),
        rejectsWith(Code.NOT_FOUND, "NOT_FOUND", /userName "nobody@example.com"/),
      );
    });

    test("GetUser needs exactly one key", async () => {
      await assert.rejects(
        getUser({}),
        rejectsWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", /exactly one of id, user_name and external_id.*none/),
      );
      await assert.rejects(
        getUser({ id: ids["Straße@example.com"]!, userName: "Straße@example.com" }),
        rejectsWith(Code.INVALID_ARGUMENT, undefined, /id and user_name are/),
      );
      await assert.rejects(getUser({ userName: "a", externalId: "b" }), rejectsWith(Code.INVALID_ARGUMENT));
      await assert.rejects(
        service.getUser(create(GetUserRequestSchema, { id: "x" }), undefined as never),
        rejectsWith(Code.INVALID_ARGUMENT, undefined, /tenant_id/),
      );
    });

    test("BatchGetUsers by id: users in the order of the keys, missing keys as given", async () => {
      const keys = [ids["twin-b@example.com"]!, "missing-1", ids["Ada.Lovelace@Example.com"]!, "missing-2"];
      const response = await batchGet(UserKeyKind.ID, keys);
      assert.deepEqual(userNames(response.users), ["twin-b@example.com", "Ada.Lovelace@Example.com"]);
      assert.deepEqual(response.missingKeys, ["missing-1", "missing-2"]);
    });

    test("BatchGetUsers returns each user once, however many keys name it", async () => {
      const response = await batchGet(UserKeyKind.USER_NAME, [
        "straße@example.com",
        "ADA.LOVELACE@example.com",
        "STRASSE@example.com",
        "Straße@example.com",
        "gone@example.com",
        "gone@example.com",
      ]);
      assert.deepEqual(userNames(response.users), ["Straße@example.com", "Ada.Lovelace@Example.com"]);
      assert.deepEqual(response.missingKeys, ["gone@example.com"]);
    });

    test("BatchGetUsers by externalId returns every user sharing a key, caseExact, in creation order", async () => {
      const response = await batchGet(UserKeyKind.EXTERNAL_ID, ["EXT-1", "shared", "ext-1", "ext-ada"]);
      assert.deepEqual(userNames(response.users), ["Straße@example.com", ...twinsInCreationOrder, "Ada.Lovelace@Example.com"]);
      assert.equal(twinsInCreationOrder.length, 2);
      assert.deepEqual(response.missingKeys, ["ext-1"]);
    });

    test("BatchGetUsers with no keys returns nothing", async () => {
      const response = await batchGet(UserKeyKind.ID, []);
      assert.deepEqual([response.users, response.missingKeys], [[], []]);
    });

    test(`BatchGetUsers refuses more than ${maxBatchKeys} keys, an empty key and an unspecified kind`, async () => {
      const tooMany = Array.from({ length: maxBatchKeys + 1 }, (_, i) => `k${i}`);
      await assert.rejects(
        batchGet(UserKeyKind.ID, tooMany),
        rejectsWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", /1001 keys; at most 1000/),
      );
      await assert.rejects(batchGet(UserKeyKind.ID, ["a", ""]), rejectsWith(Code.INVALID_ARGUMENT, undefined, /keys\[1\] is empty/));
      await assert.rejects(batchGet(UserKeyKind.UNSPECIFIED, ["a"]), rejectsWith(Code.INVALID_ARGUMENT, undefined, /key_kind/));
    });

    test(`${maxBatchKeys} keys take one query per ${keysPerQuery} and keep their order across slices`, async () => {
      const keys = Array.from({ length: maxBatchKeys }, (_, i) => `absent-${i}`);
      // Users land in both slices, in an order unlike their creation order.
      keys[0] = "twin-b@example.com";
      keys[keysPerQuery - 1] = "no-external@example.com";
      keys[keysPerQuery] = "ADA.LOVELACE@EXAMPLE.COM";
      keys[maxBatchKeys - 1] = "twin-a@example.com";
      const queries: string[] = [];
      const record = (query: { sql: string }) => queries.push(query.sql);
      db.on("query", record);
      try {
        const { users, missingKeys } = await store.batchGet(tenantId, "userName", keys);
        assert.deepEqual(userNames(users), [
          "twin-b@example.com",
          "no-external@example.com",
          "Ada.Lovelace@Example.com",
          "twin-a@example.com",
        ]);
        assert.equal(missingKeys.length, maxBatchKeys - 4);
        assert.equal(missingKeys[0], "absent-1");
      } finally {
        db.removeListener("query", record);
      }
      assert.equal(queries.length, Math.ceil(maxBatchKeys / keysPerQuery), queries.join("\n"));
    });

    test("no lookup crosses tenants", async () => {
      const response = await service.batchGetUsers(
        create(BatchGetUsersRequestSchema, { tenantId: otherTenantId, keyKind: UserKeyKind.ID, keys: [ids["twin-a@example.com"]!] }),
        undefined as never,
      );
      assert.deepEqual([response.users, response.missingKeys], [[], [ids["twin-a@example.com"]]]);
      await assert.rejects(
        service.getUser(create(GetUserRequestSchema, { tenantId: otherTenantId, userName: "twin-a@example.com" }), undefined as never),
        rejectsWith(Code.NOT_FOUND),
      );
    });
  });
}
