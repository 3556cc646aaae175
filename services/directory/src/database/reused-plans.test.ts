// On PostgreSQL, a user's lookups by a unique key keep their plan as named prepared statements:
// prepared once per connection, the same answers as unprepared, other reads left as they were, a
// migration that adds a column under a kept statement and a connection that forgot its statements
// survived, and the setting that turns it off.
// PostgreSQL only: SQLite's readers keep every read's statement (reused-statements.test.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { parseFilter } from "@scimgw/scim";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { createTenantStore } from "../tenants/tenant-store.js";
import { createUserStore, uniqueKeyOf } from "../users/user-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { openDatabase, type DatabaseLocation } from "./open-database.js";

test("uniqueKeyOf names the key of a lookup by userName, id or externalId, and nothing else", () => {
  const keyOf = (filter: string) => uniqueKeyOf(parseFilter(filter));
  assert.equal(keyOf('userName eq "a@example.com"'), "userName");
  assert.equal(keyOf('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"'), "userName");
  assert.equal(keyOf('id eq "2819c223"'), "id");
  assert.equal(keyOf('externalId eq "00u1"'), "externalId");
  for (const other of [
    'userName co "a"',
    'userName ne "a"',
    "userName pr",
    'name.givenName eq "a"',
    'emails.value eq "a"',
    'displayName eq "a"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"',
    'userName eq "a" and active eq true',
    'userName eq "a" or userName eq "b"',
    'not (userName eq "a")',
    'toString eq "a"',
    "externalId eq null",
  ])
    assert.equal(keyOf(other), undefined, other);
  assert.equal(uniqueKeyOf(undefined), undefined);
});

const postgres = (await storeKindsUnderTest()).includes("postgres")
  ? storesUnderTest.find((store) => store.name === "postgres")
  : undefined;

describe("PostgreSQL keeps the plans of lookups by a unique key", { skip: postgres === undefined && "PostgreSQL is not reachable" }, () => {
  let migrated: TemporaryDatabase;
  let tenantId: string;
  let userId: string;
  /** One connection, so that pg_prepared_statements shows every statement its reads prepared. */
  const openOneConnection = (preparedStatements = true): Knex =>
    openDatabase({ ...(migrated.location as Extract<DatabaseLocation, { kind: "postgres" }>), poolMax: 1, preparedStatements });
  const keptStatements = async (db: Knex): Promise<string[]> =>
    ((await db.raw("SELECT statement FROM pg_prepared_statements ORDER BY statement")) as { rows: Array<{ statement: string }> }).rows.map(
      (row) => row.statement,
    );

  before(async () => {
    migrated = await postgres!.open();
    tenantId = (await createTenantStore(migrated.db).create("plans")).id;
    const user = await createUserStore(migrated.db).create(
      tenantId,
      create(UserSchema, { userName: "Ada@Example.com", externalId: "00u1" }),
    );
    userId = user.id;
  });
  after(() => migrated.dispose());

  test("a lookup is prepared once per connection, and answers as it does unprepared", async () => {
    const db = openOneConnection();
    const unprepared = openOneConnection(false);
    try {
      const store = createUserStore(db);
      for (let i = 0; i < 3; i++) {
        assert.equal((await store.getBy(tenantId, "id", userId)).userName, "Ada@Example.com");
        assert.equal((await store.getBy(tenantId, "userName", "ada@example.COM")).id, userId);
        assert.equal((await store.getBy(tenantId, "externalId", "00u1")).id, userId);
      }
      const page = await store.list(tenantId, parseFilter('userName eq "ADA@example.com"'), 1, 100);
      await store.list(tenantId, parseFilter('userName eq "nobody@example.com"'), 1, 100);
      // Past the first page the listing has an OFFSET: a shape of its own, also kept.
      assert.deepEqual((await store.list(tenantId, parseFilter('userName eq "ada@example.com"'), 2, 100)).users, []);
      await store.list(tenantId, parseFilter('userName eq "ada@example.com"'), 3, 100);
      assert.deepEqual(
        page.users.map((user) => user.id),
        [userId],
      );
      const [written] = await store.withGroups(tenantId, [create(UserSchema, { id: userId })]);
      assert.deepEqual(written?.groups, []);
      // Three keys of getBy, the listing by userName from the first page and past it, and one
      // user's groups: six statements, each prepared once whatever the values.
      const kept = await keptStatements(db);
      assert.equal(kept.length, 6, kept.join("\n\n"));
      assert.ok(kept.every((statement) => statement.includes("member_groups")));

      const plain = createUserStore(unprepared);
      assert.deepEqual(await plain.getBy(tenantId, "id", userId), await store.getBy(tenantId, "id", userId));
      assert.deepEqual(await plain.list(tenantId, parseFilter('userName eq "ada@example.com"'), 1, 100), page);
      assert.deepEqual(await keptStatements(unprepared), [], "DATABASE_PREPARED_STATEMENTS=false keeps none");
    } finally {
      await db.destroy();
      await unprepared.destroy();
    }
  });

  test("other reads are planned per call: listings by any other filter, a sort, batches", async () => {
    const db = openOneConnection();
    try {
      const store = createUserStore(db);
      await store.list(tenantId, parseFilter('userName co "ada"'), 1, 100);
      await store.list(tenantId, undefined, 1, 100);
      await store.list(tenantId, parseFilter('userName eq "ada@example.com"'), 1, 100, {
        by: { attribute: "userName" },
        order: "ascending",
      });
      await store.batchGet(tenantId, "id", [userId]);
      await store.withGroups(tenantId, [create(UserSchema, { id: userId }), create(UserSchema, { id: userId })]);
      assert.deepEqual(await keptStatements(db), []);
    } finally {
      await db.destroy();
    }
  });

  test("a column added under a kept statement (a rolling upgrade's migration) does not fail the lookup", async () => {
    const db = openOneConnection();
    try {
      const store = createUserStore(db);
      assert.equal((await store.getBy(tenantId, "id", userId)).id, userId);
      assert.equal((await keptStatements(db)).length, 1);
      // From another connection, as a newer replica's migration would.
      await migrated.db.schema.alterTable("users", (table) => table.text("added_by_a_later_release"));
      assert.equal((await store.getBy(tenantId, "id", userId)).id, userId);
      assert.equal((await store.getBy(tenantId, "id", userId)).id, userId);
      assert.equal((await keptStatements(db)).length, 1, "prepared again under the same name");
    } finally {
      await migrated.db.schema.alterTable("users", (table) => table.dropColumn("added_by_a_later_release"));
      await db.destroy();
    }
  });

  test("a connection that forgot its statements (a pooler's DISCARD ALL) prepares them again", async () => {
    const db = openOneConnection();
    try {
      const store = createUserStore(db);
      assert.equal((await store.getBy(tenantId, "userName", "ada@example.com")).id, userId);
      await db.raw("DEALLOCATE ALL");
      assert.deepEqual(await keptStatements(db), []);
      assert.equal((await store.getBy(tenantId, "userName", "ada@example.com")).id, userId);
      assert.equal((await keptStatements(db)).length, 1);
    } finally {
      await db.destroy();
    }
  });
});
