// Every committed change leaves exactly one event per effect in the tenant's log, in the same
// transaction, numbered without gaps in commit order, even with several directory replicas
// writing at once; a rolled-back write leaves none.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { CreateGroupRequestSchema, type Group, GroupSchema, PatchGroupRequestSchema, UserSchema } from "@scimgw/proto";
import { parsePatchRequest } from "@scimgw/scim";
import { patchOperationsToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { openDatabase } from "../database/open-database.js";
import { createGroupService } from "../groups/group-service.js";
import { createGroupStore } from "../groups/group-store.js";
import { memberships } from "../memberships/membership-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { userContent, type UserRow } from "../users/user-row.js";

interface EventRow {
  seq: number | string;
  resource_type: string;
  resource_id: string;
  kind: string;
  version: number | string;
  changed_attributes: string;
  member_ids: string | null;
}

for (const storeUnderTest of storesUnderTest) {
  describe(`the change log on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let location: Parameters<typeof openDatabase>[0];
    let dispose: () => Promise<void>;
    let tenantId = "";
    const events = async (tenant = tenantId): Promise<EventRow[]> => db("change_events").where("tenant_id", tenant).orderBy("seq");
    const since = async (seq: number) => (await events()).filter((event) => Number(event.seq) > seq);
    const lastSeq = async () => Number((await events()).at(-1)?.seq ?? 0);

    before(async () => {
      ({ db, location, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("feed")).id;
    });
    after(() => dispose());

    test("a user's life: created, updated with the attributes that changed, deactivated, reactivated, deleted", async () => {
      const users = createUserStore(db);
      const start = await lastSeq();
      const user = await users.create(tenantId, create(UserSchema, { userName: "ada@example.com", name: { givenName: "Ada" } }));
      await users.update(tenantId, user.id, (current) => ({ ...current, title: "Countess" }));
      await users.update(tenantId, user.id, (current) => ({ ...current, active: false }));
      await users.update(tenantId, user.id, (current) => ({ ...current, active: true }));
      await users.delete(tenantId, user.id);
      const log = await since(start);
      assert.deepEqual(
        log.map((event) => [event.kind, Number(event.version), JSON.parse(event.changed_attributes)]),
        [
          ["created", 1, ["active", "name", "userName"]],
          ["updated", 2, ["title"]],
          ["deactivated", 3, ["active"]],
          ["reactivated", 4, ["active"]],
          ["deleted", 4, []],
        ],
      );
      assert.ok(log.every((event) => event.resource_type === "User" && event.resource_id === user.id));
    });

    test("a group's life: created with members, renamed, members added and removed, deleted", async () => {
      const users = createUserStore(db);
      const groups = createGroupStore(db);
      const [a, b] = [
        await users.create(tenantId, create(UserSchema, { userName: "a@x" })),
        await users.create(tenantId, create(UserSchema, { userName: "b@x" })),
      ];
      const start = await lastSeq();
      const group = await groups.create(tenantId, create(GroupSchema, { displayName: "Team", members: [{ value: a.id }] }));
      await groups.update(tenantId, group.id, async (current) => ({ ...current, displayName: "Team 2" }));
      await groups.update(tenantId, group.id, async (current, trx, delta) => {
        delta.added(await memberships.add(trx, tenantId, group.id, [b.id, a.id]));
        delta.removed(await memberships.remove(trx, tenantId, group.id, [a.id]));
        return current;
      });
      await users.delete(tenantId, b.id);
      await groups.delete(tenantId, group.id);
      assert.deepEqual(
        (await since(start)).map((event) => [
          event.resource_type,
          event.kind,
          Number(event.version),
          event.member_ids && JSON.parse(event.member_ids),
        ]),
        [
          ["Group", "created", 1, null],
          ["Group", "members_added", 1, [a.id]],
          ["Group", "renamed", 2, null],
          ["Group", "members_added", 3, [b.id]],
          ["Group", "members_removed", 3, [a.id]],
          ["Group", "members_removed", 4, [b.id]],
          ["User", "deleted", 1, null],
          ["Group", "deleted", 4, null],
        ],
      );
    });

    test("a group write reports its net effect, and one that changes nothing keeps the version and records nothing", async () => {
      const users = createUserStore(db);
      const groups = createGroupStore(db);
      const [u0, u1, u2] = await Promise.all(
        ["u0@net", "u1@net", "u2@net"].map((userName) => users.create(tenantId, create(UserSchema, { userName }))),
      );
      const group = await groups.create(
        tenantId,
        create(GroupSchema, { displayName: "Net", members: [{ value: u0!.id }, { value: u1!.id }] }),
      );
      const start = await lastSeq();
      // One PATCH: remove u0 and u1, then add u0 back and u2. Net: u1 left, u2 joined; u0 never left.
      const after = await groups.update(tenantId, group.id, async (current, trx, delta) => {
        delta.removed(await memberships.remove(trx, tenantId, group.id, [u0!.id, u1!.id]));
        delta.added(await memberships.add(trx, tenantId, group.id, [u0!.id, u2!.id]));
        return current;
      });
      assert.deepEqual(
        (await since(start)).map((event) => [event.kind, Number(event.version), JSON.parse(event.member_ids ?? "[]")]),
        [
          ["members_added", 2, [u2!.id]],
          ["members_removed", 2, [u1!.id]],
        ],
      );
      // Okta re-adding a member and re-sending the name: nothing changes, so neither does the version.
      const again = await groups.update(tenantId, group.id, async (current, trx, delta) => {
        delta.added(await memberships.add(trx, tenantId, group.id, [u0!.id]));
        return { ...current, displayName: "Net" };
      });
      assert.equal(again.meta?.version, after.meta?.version);
      assert.equal(await lastSeq(), start + 2);
    });

    test("a write that fails leaves no event and no gap", async () => {
      const users = createUserStore(db);
      const start = await lastSeq();
      await users.create(tenantId, create(UserSchema, { userName: "dup@example.com" }));
      await assert.rejects(users.create(tenantId, create(UserSchema, { userName: "DUP@example.com" })));
      const group = await createGroupStore(db).create(tenantId, create(GroupSchema, { displayName: "Strict" }));
      await assert.rejects(
        createGroupStore(db).update(tenantId, group.id, async (current, trx) => {
          await memberships.add(trx, tenantId, group.id, ["no-such-member"]);
          return current;
        }),
      );
      await users.create(tenantId, create(UserSchema, { userName: "after@example.com" }));
      assert.deepEqual(
        (await since(start)).map((event) => Number(event.seq)),
        [start + 1, start + 2, start + 3],
      );
    });

    test("several replicas writing at once: sequence numbers are gap-free and never visible out of order", async () => {
      const replicas = storeUnderTest.name === "postgres" ? [db, openDatabase(location), openDatabase(location)] : [db];
      const reader = storeUnderTest.name === "postgres" ? openDatabase(location) : db;
      try {
        const start = await lastSeq();
        const writes = 60;
        let done = false;
        const observations: number[][] = [];
        // A follower reading while the writers run must never see a later number before an
        // earlier one has committed: every snapshot it takes is a contiguous run from the start.
        const follower = (async () => {
          while (!done) {
            const rows: Array<{ seq: number | string }> = await reader("change_events")
              .where("tenant_id", tenantId)
              .andWhere("seq", ">", start)
              .orderBy("seq")
              .select("seq");
            observations.push(rows.map((row) => Number(row.seq)));
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        })();
        await Promise.all(
          Array.from({ length: writes }, (_, i) =>
            createUserStore(replicas[i % replicas.length]!).create(tenantId, create(UserSchema, { userName: `racer${i}@example.com` })),
          ),
        );
        done = true;
        await follower;
        const log = await since(start);
        assert.deepEqual(
          log.map((event) => Number(event.seq)),
          Array.from({ length: writes }, (_, i) => start + 1 + i),
        );
        assert.equal(new Set(log.map((event) => event.resource_id)).size, writes);
        assert.ok(observations.length > 1);
        for (const seen of observations)
          assert.deepEqual(
            seen,
            Array.from({ length: seen.length }, (_, i) => start + 1 + i),
          );
      } finally {
        await Promise.all(replicas.slice(1).map((replica) => replica.destroy()));
        if (reader !== db) await reader.destroy();
      }
    });

    test("2,500 members added in one PATCH are 3 consecutive events of one commit, none over 1,000 ids", async () => {
      const now = new Date().toISOString();
      const ids = Array.from({ length: 2500 }, () => randomUUID());
      const rows: UserRow[] = ids.map((id, i) => ({
        tenant_id: tenantId,
        id,
        ...userContent(create(UserSchema, { userName: `bulk${i}@example.com` })),
        password_hash: null,
        version: 1,
        created_at: now,
        last_modified: now,
      }));
      for (let start = 0; start < rows.length; start += 200) await db("users").insert(rows.slice(start, start + 200));
      await createTenantStore(db).recountResources(tenantId);
      const groups = createGroupService(createGroupStore(db));
      const group = (
        await groups.createGroup(create(CreateGroupRequestSchema, { tenantId, group: { displayName: "everyone" } }), undefined as never)
      ).group as Group;
      const start = await lastSeq();
      await groups.patchGroup(
        create(PatchGroupRequestSchema, {
          tenantId,
          id: group.id,
          operations: patchOperationsToProto(
            parsePatchRequest({
              schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }],
            }),
          ),
        }),
        undefined as never,
      );
      const log = await since(start);
      assert.deepEqual(
        log.map((event) => [Number(event.seq) - start, event.kind, Number(event.version), JSON.parse(event.member_ids!).length]),
        [
          [1, "members_added", 2, 1000],
          [2, "members_added", 2, 1000],
          [3, "members_added", 2, 500],
        ],
      );
      assert.deepEqual(log.flatMap((event) => JSON.parse(event.member_ids!) as string[]).sort(), [...ids].sort());
    });

    test("tenants have logs of their own", async () => {
      const other = (await createTenantStore(db).create("other feed")).id;
      await createUserStore(db).create(other, create(UserSchema, { userName: "solo@example.com" }));
      assert.deepEqual(
        (await events(other)).map((event) => Number(event.seq)),
        [1],
      );
    });
  });
}
