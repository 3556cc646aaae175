// A 100,000-member group: add, remove, PUT-as-difference and User.groups stay correct at that
// size (their speed is measured by `pnpm bench:groups`, not here).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { CreateGroupRequestSchema, PatchGroupRequestSchema, ReplaceGroupRequestSchema, UserSchema } from "@scimgw/proto";
import { parsePatchRequest } from "@scimgw/scim";
import { patchOperationsToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { userContent, type UserRow } from "../users/user-row.js";
import { createUserStore } from "../users/user-store.js";
import { createGroupService } from "./group-service.js";
import { createGroupStore } from "./group-store.js";

const size = 100_000;
const patchOp = (...Operations: unknown[]) =>
  patchOperationsToProto(parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations }));

async function seedUsers(db: Knex, tenantId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date().toISOString();
  await db.transaction(async (trx) => {
    for (let start = 0; start < count; start += 1000) {
      const rows: UserRow[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const id = randomUUID();
        ids.push(id);
        rows.push({
          tenant_id: tenantId,
          id,
          ...userContent(create(UserSchema, { userName: `member${i}@example.com` })),
          password_hash: null,
          version: 1,
          created_at: now,
          last_modified: now,
        });
      }
      await trx.batchInsert("users", rows, 250);
    }
  });
  return ids;
}

for (const storeUnderTest of storesUnderTest) {
  describe(`a ${size.toLocaleString("en")}-member group on ${storeUnderTest.name}`, { timeout: 900_000 }, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    let ids: string[] = [];
    let groupId = "";
    let service: ReturnType<typeof createGroupService>;
    const memberCount = async () =>
      Number((await db("group_members").where({ tenant_id: tenantId, group_id: groupId }).count({ n: "*" }).first())?.n);
    const isMember = async (id: string) =>
      (await db("group_members").where({ tenant_id: tenantId, group_id: groupId, member_id: id }).first()) !== undefined;

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("big")).id;
      ids = await seedUsers(db, tenantId, size + 20);
      service = createGroupService(createGroupStore(db));
      const group = await service.createGroup(
        create(CreateGroupRequestSchema, {
          tenantId,
          group: { displayName: "Everyone", members: ids.slice(0, size).map((value) => ({ value })) },
        }),
        undefined as never,
      );
      groupId = group.group?.id ?? "";
    });
    after(() => dispose());

    test("it holds every member", async () => {
      assert.equal(await memberCount(), size);
    });

    test("adding and removing one member changes exactly that row", async () => {
      const newcomer = ids[size]!;
      await service.patchGroup(
        create(PatchGroupRequestSchema, {
          tenantId,
          id: groupId,
          operations: patchOp({ op: "add", path: "members", value: [{ value: newcomer }] }),
        }),
        undefined as never,
      );
      assert.equal(await memberCount(), size + 1);
      assert.ok(await isMember(newcomer));
      await service.patchGroup(
        create(PatchGroupRequestSchema, {
          tenantId,
          id: groupId,
          operations: patchOp({ op: "remove", path: `members[value eq "${ids[7]}"]` }),
        }),
        undefined as never,
      );
      assert.equal(await memberCount(), size);
      assert.equal(await isMember(ids[7]!), false);
    });

    test("a PATCH adding 10,000 members with one invalid id is rejected whole", async () => {
      const before = await memberCount();
      const batch = [...ids.slice(size + 1, size + 20), ...Array.from({ length: 9_980 }, () => randomUUID()), "not-a-member"];
      await assert.rejects(
        service.patchGroup(
          create(PatchGroupRequestSchema, {
            tenantId,
            id: groupId,
            operations: patchOp({ op: "add", path: "members", value: batch.map((value) => ({ value })) }),
          }),
          undefined as never,
        ),
      );
      assert.equal(await memberCount(), before);
    });

    test("PUT with the full list is applied as a difference", async () => {
      const next = [...ids.slice(100, size), ...ids.slice(size, size + 20)];
      await service.replaceGroup(
        create(ReplaceGroupRequestSchema, {
          tenantId,
          group: { id: groupId, displayName: "Everyone", members: next.map((value) => ({ value })) },
        }),
        undefined as never,
      );
      assert.equal(await memberCount(), next.length);
      assert.equal(await isMember(ids[50]!), false);
      assert.ok(await isMember(ids[size + 19]!));
    });

    test("a member's groups are answered without reading the group", async () => {
      const users = createUserStore(db);
      const [member] = await users.withGroups(tenantId, [await users.get(tenantId, ids[5000]!)]);
      assert.deepEqual(
        member!.groups.map((g) => [g.value, g.display, g.type]),
        [[groupId, "Everyone", "direct"]],
      );
      const [outsider] = await users.withGroups(tenantId, [await users.get(tenantId, ids[50]!)]);
      assert.deepEqual(outsider!.groups, []);
    });
  });
}
