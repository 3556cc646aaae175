import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  BatchGetGroupsRequestSchema,
  CreateGroupRequestSchema,
  GetGroupRequestSchema,
  GroupKeyKind,
  UserSchema,
  type Group,
  ErrorReason,
} from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import type { Knex } from "knex";
import { keysPerQuery, maxBatchKeys } from "../query/lookup-by-key.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { createGroupService } from "./group-service.js";
import { createGroupStore, type GroupStore } from "./group-store.js";

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
  describe(`GetGroup and BatchGetGroups on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: GroupStore;
    let service: ReturnType<typeof createGroupService>;
    let tenantId = "";
    let otherTenantId = "";
    const ids: Record<string, string> = {};
    let twinsInCreationOrder: string[] = [];

    const getGroup = (init: MessageInitShape<typeof GetGroupRequestSchema>) =>
      service.getGroup(create(GetGroupRequestSchema, { tenantId, ...init }), undefined as never);
    const batchGet = (keyKind: GroupKeyKind, keys: string[]) =>
      service.batchGetGroups(create(BatchGetGroupsRequestSchema, { tenantId, keyKind, keys }), undefined as never);
    const names = (groups: readonly MessageInitShape<typeof CreateGroupRequestSchema>["group"][] | undefined) =>
      (groups ?? []).map((group) => group!.displayName);

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createGroupStore(db);
      service = createGroupService(store);
      tenantId = (await createTenantStore(db).create("lookups")).id;
      otherTenantId = (await createTenantStore(db).create("elsewhere")).id;
      const member = (await createUserStore(db).create(tenantId, create(UserSchema, { userName: "member@example.com" }))).id;
      for (const [displayName, externalId, members] of [
        ["Engineering", "ext-eng", [member]],
        ["Größe", "EXT-1", []],
        ["Twin A", "shared", []],
        ["Twin B", "shared", []],
        ["No External", undefined, []],
      ] as const) {
        const request = create(CreateGroupRequestSchema, {
          tenantId,
          group: { displayName, ...(externalId ? { externalId } : {}), members: members.map((value) => ({ value })) },
        });
        ids[displayName] = ((await service.createGroup(request, undefined as never)).group as Group).id;
      }
      await service.createGroup(
        create(CreateGroupRequestSchema, { tenantId: otherTenantId, group: { displayName: "Elsewhere", externalId: "ext-eng" } }),
        undefined as never,
      );
      twinsInCreationOrder = (
        await store.list(tenantId, { kind: "compare", path: { attribute: "externalId" }, operator: "eq", value: "shared" }, 1, 10)
      ).groups.map((group) => group.displayName);
    });
    after(() => dispose());

    test("GetGroup by id, as the gateway calls it, with has_members", async () => {
      const response = await getGroup({ id: ids.Engineering! });
      assert.deepEqual([response.group?.displayName, response.hasMembers], ["Engineering", true]);
    });

    test("GetGroup by displayName in any letter case or Unicode form", async () => {
      for (const spelling of ["engineering", "ENGINEERING", "Engineering"])
        assert.equal((await getGroup({ displayName: spelling })).group?.id, ids.Engineering, spelling);
      const byFoldedName = await getGroup({ displayName: "GRÖSSE" });
      assert.deepEqual([byFoldedName.group?.id, byFoldedName.hasMembers], [ids["Größe"], false]);
    });

    test("GetGroup by externalId is caseExact; a shared one is AMBIGUOUS_EXTERNAL_ID", async () => {
      assert.equal((await getGroup({ externalId: "EXT-1" })).group?.displayName, "Größe");
      await assert.rejects(getGroup({ externalId: "ext-1" }), rejectsWith(Code.NOT_FOUND, "NOT_FOUND", /externalId "ext-1"/));
      await assert.rejects(
        getGroup({ externalId: "shared" }),
        rejectsWith(Code.FAILED_PRECONDITION, "AMBIGUOUS_EXTERNAL_ID", /several groups/),
      );
    });

    test("GetGroup needs exactly one key", async () => {
      await assert.rejects(
        getGroup({}),
        rejectsWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", /exactly one of id, display_name and external_id/),
      );
      await assert.rejects(
        getGroup({ id: ids.Engineering!, externalId: "ext-eng" }),
        rejectsWith(Code.INVALID_ARGUMENT, undefined, /id and external_id are/),
      );
      await assert.rejects(getGroup({ displayName: "nobody" }), rejectsWith(Code.NOT_FOUND, "NOT_FOUND", /displayName "nobody"/));
    });

    test("BatchGetGroups: in key order, each group once, missing keys as given", async () => {
      const byName = await batchGet(GroupKeyKind.DISPLAY_NAME, ["twin b", "GRÖSSE", "Größe", "Missing", "engineering", "Missing"]);
      assert.deepEqual(names(byName.groups), ["Twin B", "Größe", "Engineering"]);
      assert.deepEqual(byName.missingKeys, ["Missing"]);
      assert.ok(
        (byName.groups ?? []).every((group) => (group.members ?? []).length === 0),
        "groups come without members",
      );
      const byId = await batchGet(GroupKeyKind.ID, [ids["No External"]!, "nope", ids.Engineering!]);
      assert.deepEqual(names(byId.groups), ["No External", "Engineering"]);
      assert.deepEqual(byId.missingKeys, ["nope"]);
      const byExternalId = await batchGet(GroupKeyKind.EXTERNAL_ID, ["shared", "ext-eng", "ext-ENG"]);
      assert.deepEqual(names(byExternalId.groups), [...twinsInCreationOrder, "Engineering"]);
      assert.deepEqual(byExternalId.missingKeys, ["ext-ENG"]);
    });

    test("BatchGetGroups refuses too many keys, an empty key and an unspecified kind", async () => {
      await assert.rejects(
        batchGet(
          GroupKeyKind.ID,
          Array.from({ length: maxBatchKeys + 1 }, (_, i) => `g${i}`),
        ),
        rejectsWith(Code.INVALID_ARGUMENT, undefined, /at most 1000/),
      );
      await assert.rejects(batchGet(GroupKeyKind.ID, [""]), rejectsWith(Code.INVALID_ARGUMENT, undefined, /keys\[0\] is empty/));
      await assert.rejects(batchGet(GroupKeyKind.UNSPECIFIED, ["x"]), rejectsWith(Code.INVALID_ARGUMENT, undefined, /key_kind/));
    });

    test(`${maxBatchKeys} keys take one query per ${keysPerQuery}`, async () => {
      const keys = Array.from({ length: maxBatchKeys }, (_, i) => `absent-${i}`);
      keys[keysPerQuery + 1] = ids.Engineering!;
      keys[3] = ids["Twin A"]!;
      let queries = 0;
      const count = () => queries++;
      db.on("query", count);
      try {
        assert.deepEqual(names((await store.batchGet(tenantId, "id", keys)).groups), ["Twin A", "Engineering"]);
      } finally {
        db.removeListener("query", count);
      }
      assert.equal(queries, maxBatchKeys / keysPerQuery);
    });

    test("no lookup crosses tenants", async () => {
      const elsewhere = await service.batchGetGroups(
        create(BatchGetGroupsRequestSchema, { tenantId: otherTenantId, keyKind: GroupKeyKind.EXTERNAL_ID, keys: ["ext-eng"] }),
        undefined as never,
      );
      assert.deepEqual(names(elsewhere.groups), ["Elsewhere"]);
      await assert.rejects(
        service.getGroup(create(GetGroupRequestSchema, { tenantId: otherTenantId, id: ids.Engineering! }), undefined as never),
        rejectsWith(Code.NOT_FOUND),
      );
    });
  });
}
