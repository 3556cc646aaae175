// `scimgw-admin reindex` puts back the rows the directory derives from a tenant's users and groups
// (user_assignments, unique_attribute_values) after they were damaged, on every store: exactly the
// rows the writes would have written, nothing of another tenant touched, a dry run writing nothing,
// and a value two resources hold reported rather than decided.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { clone, create } from "@bufbuild/protobuf";
import { GroupSchema, MultiValuedAttributeSchema, UserSchema, type User } from "@scimgw/proto";
import type { Knex } from "knex";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { acmeUser, acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { runAdmin } from "../test-support/run-admin.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { reindexTenant } from "./reindex.js";

/** A tenant's rows of both derived tables, in one order, as comparable text. */
async function derivedRows(db: Knex, tenantId: string) {
  const assignments = await db("user_assignments")
    .where("tenant_id", tenantId)
    .orderBy(["user_id", "attribute", "value_key", "type_key"])
    .select("attribute", "value_key", "type_key", "created_at", "user_id");
  const unique = await db("unique_attribute_values")
    .where("tenant_id", tenantId)
    .orderBy(["resource_type", "resource_id", "attribute"])
    .select("resource_type", "attribute", "value_key", "resource_id");
  return { assignments, unique };
}

/** A tenant with the acme extension and `count` users, user n holding the unique pin "P-n". */
async function tenantWithPins(db: Knex, count: number) {
  const tenant = await createTenantStore(db).create("acme");
  await registerExtension(db, tenant.id, acmeUserExtension);
  const users = createUserStore(db);
  const created: User[] = [];
  for (let n = 0; n < count; n++) {
    const user = create(UserSchema, { userName: `user${n}@example.com`, extensions: { [acmeUser]: { pin: `P-${n}` } } });
    created.push(await users.create(tenant.id, user));
  }
  return { tenant, users, created };
}

for (const store of storesUnderTest)
  test(`${store.name}: reindex rewrites exactly the damaged derived rows of one tenant, and reports a value two resources hold`, async () => {
    const database = await store.open();
    const { db } = database;
    try {
      const tenants = createTenantStore(db);
      const acme = await tenants.create("acme");
      const other = await tenants.create("other");
      for (const tenant of [acme, other]) await registerExtension(db, tenant.id, acmeUserExtension);
      const users = createUserStore(db);
      const userOf = (tenantId: string, n: number) =>
        users.create(
          tenantId,
          create(UserSchema, {
            userName: `user${n}@example.com`,
            extensions: { [acmeUser]: { badge: `B-${n}`, pin: `P-${n}`, tier: "gold" } },
            entitlements: n % 2 === 0 ? [{ value: "Admin", type: "License" }, { value: "reader" }] : [],
            roles: n % 3 === 0 ? [{ value: "Approver" }] : [],
          }),
        );
      const created: User[] = [];
      for (let n = 0; n < 9; n++) created.push(await userOf(acme.id, n));
      await userOf(other.id, 0);
      const group = await createGroupStore(db).create(acme.id, create(GroupSchema, { displayName: "Engineering" }));
      const healthy = await derivedRows(db, acme.id);
      const otherHealthy = await derivedRows(db, other.id);
      assert.equal(healthy.assignments.length, 5 * 2 + 3, "the fixture holds values");

      // A healthy tenant: nothing to rewrite, in batches smaller than the tenant.
      assert.deepEqual(await reindexTenant(db, acme.id, { batchSize: 4 }), {
        users: 9,
        groups: 1,
        assignmentsRewritten: 0,
        uniqueValuesRewritten: 0,
        orphanRowsDeleted: 0,
        conflicts: [],
      });
      assert.deepEqual(await derivedRows(db, acme.id), healthy);

      const [u0, , u2, u3, u4, u5] = created as [User, User, User, User, User, User];
      const assignmentRow = (tenantId: string, userId: string, valueKey: string) => ({
        tenant_id: tenantId,
        attribute: "entitlements",
        value_key: valueKey,
        type_key: "",
        created_at: "2020-01-01T00:00:00.000Z",
        user_id: userId,
      });
      const uniqueRow = (tenantId: string, resourceType: string, resourceId: string, attribute: string, valueKey: string) => ({
        tenant_id: tenantId,
        resource_type: resourceType,
        attribute: `${acmeUser}:${attribute}`.toLowerCase(),
        value_key: valueKey,
        resource_id: resourceId,
      });
      // Damage: a user's rows gone, a value a user does not hold, a row under the wrong created_at,
      // a unique value's row gone, a row of an attribute that is not unique, rows of a user and a
      // group that do not exist; and in the other tenant a row of its own, which must stay.
      await db("user_assignments").where({ tenant_id: acme.id, user_id: u0.id }).delete();
      await db("user_assignments").insert(assignmentRow(acme.id, u5.id, "ghost"));
      await db("user_assignments")
        .where({ tenant_id: acme.id, user_id: u2.id, value_key: "reader" })
        .update({ created_at: "1999-01-01T00:00:00.000Z" });
      await db("unique_attribute_values")
        .where({ tenant_id: acme.id, resource_id: u3.id, attribute: `${acmeUser}:pin`.toLowerCase() })
        .delete();
      await db("unique_attribute_values").insert(uniqueRow(acme.id, "User", u4.id, "tier", "gold"));
      await db("user_assignments").insert(assignmentRow(acme.id, "00000000-0000-4000-8000-000000000000", "admin"));
      await db("unique_attribute_values").insert(uniqueRow(acme.id, "Group", "00000000-0000-4000-8000-000000000001", "code", "x"));
      await db("unique_attribute_values").insert(uniqueRow(acme.id, "Group", group.id, "code", "stale"));
      await db("user_assignments").insert(assignmentRow(other.id, "00000000-0000-4000-8000-000000000002", "admin"));
      const damaged = await derivedRows(db, acme.id);
      const otherDamaged = await derivedRows(db, other.id);
      assert.notDeepEqual(damaged, healthy);
      assert.notDeepEqual(otherDamaged, otherHealthy);

      const expected = {
        users: 9,
        groups: 1,
        assignmentsRewritten: 3,
        uniqueValuesRewritten: 3,
        orphanRowsDeleted: 2,
        conflicts: [],
      };
      const dryRun = await runAdmin(database, ["reindex", "acme", "--dry-run", "--json"]);
      assert.equal(dryRun.code, 0, dryRun.stderr);
      assert.deepEqual(JSON.parse(dryRun.stdout), { tenant: "acme", ...expected, dryRun: true });
      assert.deepEqual(await derivedRows(db, acme.id), damaged, "a dry run writes nothing");

      const repaired = await runAdmin(database, ["reindex", "acme"]);
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.equal(
        repaired.stdout,
        [
          'Tenant "acme": 9 users and 1 groups read.',
          "  entitlements and roles rewritten for 3 users",
          "  unique values rewritten for 3 users and groups",
          "  2 rows of deleted users and groups removed",
          "",
        ].join("\n"),
      );
      assert.deepEqual(await derivedRows(db, acme.id), healthy, "the rows the writes made, no more, no less");
      assert.deepEqual(await derivedRows(db, other.id), otherDamaged, "another tenant's rows are its own business");

      // Two users holding one unique value (possible only once its row was lost): reported with
      // both named by the message, the first holder's row kept, everything else still repaired.
      // u2 lost both its rows; only its pin is taken.
      await db("unique_attribute_values").where({ tenant_id: acme.id, resource_id: u2.id }).delete();
      await users.update(acme.id, u3.id, (current) => {
        const taker = clone(UserSchema, current);
        taker.extensions[acmeUser] = { ...taker.extensions[acmeUser], pin: "P-2" };
        return taker;
      });
      await db("user_assignments").where({ tenant_id: acme.id, user_id: u4.id }).delete();
      const conflicted = await runAdmin(database, ["reindex", "acme", "--json"]);
      assert.equal(conflicted.code, 2, conflicted.stderr);
      const report = JSON.parse(conflicted.stdout) as Omit<typeof expected, "conflicts"> & {
        conflicts: { resourceType: string; resourceId: string; detail: string }[];
      };
      assert.equal(report.assignmentsRewritten, 1);
      assert.deepEqual(
        report.conflicts.map((conflict) => [conflict.resourceType, conflict.resourceId]),
        [["User", u2.id]],
      );
      assert.match(report.conflicts[0]?.detail ?? "", /pin "P-2" is already taken/);
      assert.match(
        conflicted.stderr,
        /^scimgw-admin: 1 values of unique attributes are held by two resources and were left as they were \(User /,
      );
      assert.match(conflicted.stderr, /change one of each pair, then run reindex again\n$/);
      const after = await derivedRows(db, acme.id);
      assert.deepEqual(after.assignments, healthy.assignments, "the rest of the tenant was repaired");
      assert.equal(
        after.unique
          .filter((row) => row.value_key === "P-2")
          .map((row) => row.resource_id)
          .join(),
        u3.id,
        "the row that holds the value stays with its holder",
      );
      assert.deepEqual(
        after.unique.filter((row) => row.resource_id === u2.id).map((row) => row.value_key),
        ["b-2"],
        "the rest of the conflicting user's values are repaired",
      );
    } finally {
      await database.dispose();
    }
  });

for (const store of storesUnderTest)
  test(`${store.name}: reindex beside live writes leaves every derived row as the last write made it`, async () => {
    const database = await store.open();
    const { db } = database;
    try {
      const { tenant, users, created } = await tenantWithPins(db, 24);
      const ids = created.map((user) => user.id);
      // Writers move users' entitlements and unique values while reindex passes over them in small batches: a pass
      // that rewrote a user's rows from a version read before a write committed would leave rows
      // the next pass has to rewrite again.
      let writing = true;
      const writers = Array.from({ length: 4 }, async (_, writer) => {
        for (let n = 0; n < 40; n++) {
          const id = ids[(writer * 7 + n * 5) % ids.length] as string;
          await users.update(tenant.id, id, (current) => {
            const next = clone(UserSchema, current);
            next.entitlements = n % 3 === 0 ? [] : [create(MultiValuedAttributeSchema, { value: `E-${writer}-${n}` })];
            // Each writer's own values, so no write is refused.
            next.extensions[acmeUser] = n % 4 === 0 ? {} : { pin: `P-${writer}-${n}` };
            return next;
          });
        }
      });
      const passes = (async () => {
        let count = 0;
        while (writing || count === 0) {
          await reindexTenant(db, tenant.id, { batchSize: 5 });
          count++;
        }
        return count;
      })();
      await Promise.all(writers).finally(() => {
        writing = false;
      });
      assert.ok((await passes) >= 1);
      const settled = await reindexTenant(db, tenant.id, { dryRun: true });
      assert.deepEqual([settled.assignmentsRewritten, settled.uniqueValuesRewritten, settled.orphanRowsDeleted], [0, 0, 0]);
    } finally {
      await database.dispose();
    }
  });

for (const store of storesUnderTest)
  test(`${store.name}: a value a stale or orphan row holds is freed for its holder, not reported; the dry run says the same`, async () => {
    const database = await store.open();
    const { db } = database;
    try {
      const { tenant, created } = await tenantWithPins(db, 6);
      const healthy = await derivedRows(db, tenant.id);
      const pinRowOf = (user: User) => ({
        tenant_id: tenant.id,
        resource_type: "User",
        resource_id: user.id,
        attribute: `${acmeUser}:pin`.toLowerCase(),
      });
      const [u0, u1, u2] = created as [User, User, User];
      // u0's row gone and u1's row moved onto u0's value (u1 still holds P-1): whichever of the two
      // the walk meets first (ids are random), u0's value is held by a row that must go. u2's row
      // gone, and a row of a user that does not exist holding its value.
      await db("unique_attribute_values").where(pinRowOf(u0)).delete();
      await db("unique_attribute_values").where(pinRowOf(u1)).update({ value_key: "P-0" });
      await db("unique_attribute_values").where(pinRowOf(u2)).delete();
      await db("unique_attribute_values").insert({
        ...pinRowOf(u2),
        resource_id: "00000000-0000-4000-8000-000000000000",
        value_key: "P-2",
      });

      const expected = { users: 6, groups: 0, assignmentsRewritten: 0, uniqueValuesRewritten: 3, orphanRowsDeleted: 1, conflicts: [] };
      assert.deepEqual(await reindexTenant(db, tenant.id, { batchSize: 1, dryRun: true }), expected);
      assert.deepEqual(await reindexTenant(db, tenant.id, { batchSize: 1 }), expected);
      assert.deepEqual(await derivedRows(db, tenant.id), healthy);
    } finally {
      await database.dispose();
    }
  });

// PostgreSQL only: there a batch reads the tenant's schema without a lock and takes the tenant's row
// last, so a schema change can commit in between. SQLite's one writer runs the batch and the schema
// change one after the other, and no such window exists to test.
const postgres = storesUnderTest.find((store) => store.name === "postgres");
test("postgres: a schema change that commits while a batch runs makes the batch run again by the new schema", {
  skip: postgres === undefined ? "PostgreSQL is not under test" : false,
}, async () => {
  assert.ok(postgres);
  const database = await postgres.open();
  const { db } = database;
  try {
    const { tenant } = await tenantWithPins(db, 3);
    assert.equal((await derivedRows(db, tenant.id)).unique.length, 3);
    // pin stops being unique: its rows are left behind, for reindex to drop.
    const relaxed = {
      ...acmeUserExtension,
      schema: {
        ...acmeUserExtension.schema,
        attributes: acmeUserExtension.schema.attributes.map((attribute) =>
          attribute.name === "pin" ? { ...attribute, uniqueness: "none" as const } : attribute,
        ),
      },
    };
    let commit = () => {};
    const committing = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let applied = (_pid: number) => {};
    const held = new Promise<number>((resolve) => {
      applied = resolve;
    });
    // The schema change holds the tenant's row, uncommitted, until the batch waits for it.
    const schemaChange = db.transaction(async (trx) => {
      await registerExtension(trx, tenant.id, relaxed);
      const { rows } = (await trx.raw("SELECT pg_backend_pid() AS pid")) as { rows: Array<{ pid: number }> };
      applied(rows[0]?.pid ?? -1);
      await committing;
    });
    const schemaChangePid = await held;
    const reindex = reindexTenant(db, tenant.id);
    // Another suite's statements may wait on their own locks meanwhile: this one waits for the schema change.
    const batchWaits = async () => {
      const { rows } = (await db.raw(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ?::int = ANY(pg_blocking_pids(pid)) AND query ILIKE '%for share%'",
        [schemaChangePid],
      )) as { rows: Array<{ waiting: number }> };
      return (rows[0]?.waiting ?? 0) > 0;
    };
    for (let waited = 0; !(await batchWaits()); waited += 10) {
      if (waited > 30_000) throw new Error("the reindex batch never waited for the tenant's row");
      await delay(10);
    }
    commit();
    await schemaChange;
    // Run by the schema it read first, the batch would have kept the three pin rows.
    assert.deepEqual(await reindex, {
      users: 3,
      groups: 0,
      assignmentsRewritten: 0,
      uniqueValuesRewritten: 3,
      orphanRowsDeleted: 0,
      conflicts: [],
    });
    assert.deepEqual((await derivedRows(db, tenant.id)).unique, []);
  } finally {
    await database.dispose();
  }
});
