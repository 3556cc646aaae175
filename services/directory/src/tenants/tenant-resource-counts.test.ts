// A tenant's user_count and group_count (on its row, read by GetTenant and the tenant list instead
// of counting) follow its rows through every way a write can end, on every store: creates and
// deletes, a refused duplicate, a delete of what is gone, concurrent writes that SQLite commits in
// groups where the refused ones roll back only their own savepoints (among them writes refused
// after their counts moved), and the migration that fills the counts of an existing database.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { GroupMemberSchema, GroupSchema, UserSchema } from "@scimgw/proto";
import { Code } from "@scimgw/grpc";
import * as resourceCounts from "../database/migrations/0028-add-tenant-resource-counts.js";
import { writerOf } from "../database/open-database.js";
import { createGroupStore } from "../groups/group-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { recountTenants } from "../admin/tenant-commands.js";
import { createTenantStore } from "./tenant-store.js";

for (const storeUnderTest of storesUnderTest) {
  describe(`tenant resource counts on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
    });
    after(() => dispose());

    /** The counts the tenant's row keeps, and the rows counted. */
    async function countsOf(tenantId: string): Promise<{ kept: [number, number]; counted: [number, number] }> {
      const row = await db("tenants").where({ id: tenantId }).first("user_count", "group_count");
      const counted = async (table: string) => Number((await db(table).where({ tenant_id: tenantId }).count({ n: "*" }).first())?.n);
      return { kept: [Number(row?.user_count), Number(row?.group_count)], counted: [await counted("users"), await counted("groups")] };
    }

    test("creates and deletes move them, refused writes do not, and each tenant has its own", async () => {
      const tenants = createTenantStore(db);
      const tenant = (await tenants.create("counts")).id;
      const other = (await tenants.create("counts-other")).id;
      const users = createUserStore(db);
      const groups = createGroupStore(db);
      assert.deepEqual(await countsOf(tenant), { kept: [0, 0], counted: [0, 0] });

      const a = await users.create(tenant, create(UserSchema, { userName: "a@example.com" }));
      const b = await users.create(tenant, create(UserSchema, { userName: "b@example.com" }));
      await assert.rejects(users.create(tenant, create(UserSchema, { userName: "A@example.com" })), /already/);
      const group = await groups.create(
        tenant,
        create(GroupSchema, { displayName: "Engineering", members: [create(GroupMemberSchema, { value: a.id })] }),
      );
      await assert.rejects(groups.create(tenant, create(GroupSchema, { displayName: "Engineering" })), /already/);
      await users.update(tenant, b.id, (current) => ({ ...current, active: false }));
      await users.create(other, create(UserSchema, { userName: "a@example.com" }));
      assert.deepEqual(await countsOf(tenant), { kept: [2, 1], counted: [2, 1] });

      await users.delete(tenant, b.id);
      await assert.rejects(users.delete(tenant, b.id), /not found/i);
      // Two deletes of one group at once: one deletes it, the other is told it is gone.
      const racing = await Promise.allSettled([groups.delete(tenant, group.id), groups.delete(tenant, group.id)]);
      assert.deepEqual(
        racing.map((outcome) => (outcome.status === "fulfilled" ? "deleted" : (outcome.reason as { code?: unknown }).code)).sort(),
        [Code.NOT_FOUND, "deleted"].sort(),
      );
      assert.deepEqual(await countsOf(tenant), { kept: [1, 0], counted: [1, 0] });
      assert.deepEqual(await countsOf(other), { kept: [1, 0], counted: [1, 0] });
    });

    test("concurrent creates and deletes, half of them refused, keep them exact", async () => {
      const tenant = (await createTenantStore(db).create("counts-concurrent")).id;
      const users = createUserStore(db);
      const taken = await Promise.all(
        Array.from({ length: 30 }, (_, i) => users.create(tenant, create(UserSchema, { userName: `taken-${i}@example.com` }))),
      );
      const writer = writerOf(db);
      const before = { ...(writer?.counts ?? { commits: 0, writesCommitted: 0 }) };
      const outcomes = await Promise.allSettled([
        // A new user, then one whose userName is taken, in turn: 20 of each.
        ...Array.from({ length: 40 }, (_, i) =>
          users.create(tenant, create(UserSchema, { userName: i % 2 === 0 ? `new-${i}@example.com` : `taken-${(i - 1) / 2}@example.com` })),
        ),
        // Each of the other ten taken users deleted twice at once: one delete of each succeeds.
        ...taken.slice(20).flatMap((user) => [users.delete(tenant, user.id), users.delete(tenant, user.id)]),
      ]);
      assert.equal(outcomes.filter((outcome) => outcome.status === "fulfilled").length, 20 + 10);
      // The delete that lost its race is told the user is gone (404), not that its version moved (412).
      const lostDeletes = outcomes.slice(40).filter((outcome) => outcome.status === "rejected");
      assert.deepEqual(
        lostDeletes.map((outcome) => (outcome.reason as { code?: unknown }).code),
        Array.from({ length: 10 }, () => Code.NOT_FOUND),
        String(lostDeletes.map((outcome) => outcome.reason)),
      );
      assert.deepEqual(await countsOf(tenant), { kept: [40, 0], counted: [40, 0] });
      if (writer !== undefined) {
        // On SQLite the writes above queued and committed together, each in its own savepoint.
        assert.ok(
          writer.counts.writesCommitted - before.writesCommitted > writer.counts.commits - before.commits,
          "some writes shared a commit",
        );
      }
    });

    test("a write refused after it moved them (its schema changed under it) takes its counts back with it", async () => {
      const tenant = (await createTenantStore(db).create("counts-refused-late")).id;
      const users = createUserStore(db);
      // The tenant's resource types as a write validated by them before an extension was registered.
      const stale = await users.schemas.get(tenant);
      const current = await users.schemas.get(tenant, await registerExtension(db, tenant, acmeUserExtension));
      const writer = writerOf(db);
      const before = { ...(writer?.counts ?? { commits: 0, writesCommitted: 0 }) };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          // Every other create by the stale schema: refused by recordChanges (claimAtCommit).
          users.create(tenant, create(UserSchema, { userName: `late-${i}@example.com` }), { schema: i % 2 === 0 ? current : stale }),
        ),
      );
      assert.deepEqual(
        outcomes.map((outcome) =>
          outcome.status === "fulfilled" ? "created" : String(outcome.reason).includes("schema") ? "schema" : outcome.reason,
        ),
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "created" : "schema")),
      );
      assert.deepEqual(await countsOf(tenant), { kept: [10, 0], counted: [10, 0] });
      if (writer !== undefined)
        assert.ok(
          writer.counts.writesCommitted - before.writesCommitted > writer.counts.commits - before.commits,
          "some writes shared a commit",
        );
    });

    test("a recount (tenants recount) puts back the counts that drifted from the rows, and only those", async () => {
      const tenants = createTenantStore(db);
      const drifted = (await tenants.create("counts-drifted")).id;
      const right = (await tenants.create("counts-right")).id;
      const users = createUserStore(db);
      for (const userName of ["d1@example.com", "d2@example.com"]) await users.create(drifted, create(UserSchema, { userName }));
      await createGroupStore(db).create(drifted, create(GroupSchema, { displayName: "Drifted" }));
      await users.create(right, create(UserSchema, { userName: "r1@example.com" }));
      // As a hand edit of the rows, or an older replica writing after the migration, would leave them.
      await (writerOf(db)?.knex ?? db)("tenants").where({ id: drifted }).update({ user_count: 7, group_count: -1 });

      const output: string[] = [];
      await recountTenants({ db, out: { write: (text) => output.push(text) } }, "counts-drifted", {});
      assert.match(output.join(""), /│ 2 \(was 7\) +│ 1 \(was -1\) +│/);
      assert.match(output.join(""), /Recounted 1 tenant\(s\): 1 had kept a wrong count, now corrected\.\n$/);
      assert.deepEqual(await countsOf(drifted), { kept: [2, 1], counted: [2, 1] });

      output.length = 0;
      await recountTenants({ db, out: { write: (text) => output.push(text) } }, undefined, { json: true });
      const all = JSON.parse(output.join("")) as Array<{ id: string; users: { kept: number; counted: number } }>;
      assert.deepEqual(
        all.filter((tenant) => tenant.id === drifted || tenant.id === right).map((tenant) => [tenant.id, tenant.users]),
        [
          [drifted, { kept: 2, counted: 2 }],
          [right, { kept: 1, counted: 1 }],
        ],
      );
      assert.equal(all.length, (await tenants.list()).length, "every tenant is recounted when none is named");
      await assert.rejects(tenants.recountResources("no-such-tenant"), (error: { code?: unknown }) => error.code === Code.NOT_FOUND);
    });

    test("recounts racing creates and deletes of the tenant leave the counts the rows'", async () => {
      const tenants = createTenantStore(db);
      const tenant = (await tenants.create("counts-recount-race")).id;
      const users = createUserStore(db);
      const existing = await Promise.all(
        Array.from({ length: 20 }, (_, i) => users.create(tenant, create(UserSchema, { userName: `old-${i}@example.com` }))),
      );
      await (writerOf(db)?.knex ?? db)("tenants").where({ id: tenant }).update({ user_count: 1000 });
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => users.create(tenant, create(UserSchema, { userName: `new-${i}@example.com` }))),
        ...existing.slice(0, 10).map((user) => users.delete(tenant, user.id)),
        ...Array.from({ length: 5 }, () => tenants.recountResources(tenant)),
      ]);
      assert.deepEqual(
        outcomes.filter((outcome) => outcome.status === "rejected").map((outcome) => outcome.reason),
        [],
      );
      assert.deepEqual(await countsOf(tenant), { kept: [30, 0], counted: [30, 0] });
    });

    test("the migration fills them from the rows of an existing database", async () => {
      const tenants = createTenantStore(db);
      const tenant = (await tenants.create("counts-migrated")).id;
      const users = createUserStore(db);
      for (const userName of ["m1@example.com", "m2@example.com", "m3@example.com"])
        await users.create(tenant, create(UserSchema, { userName }));
      await createGroupStore(db).create(tenant, create(GroupSchema, { displayName: "Migrated" }));
      // As the database was before the migration, and then after it.
      const migrating = writerOf(db)?.knex ?? db;
      await resourceCounts.down(migrating);
      await resourceCounts.up(migrating);
      assert.deepEqual(await countsOf(tenant), { kept: [3, 1], counted: [3, 1] });
      for (const { id } of await tenants.list()) {
        const { kept, counted } = await countsOf(id);
        assert.deepEqual(kept, counted, `tenant ${id}`);
      }
    });
  });
}
