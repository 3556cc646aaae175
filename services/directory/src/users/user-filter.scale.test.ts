// Filtering a 100,000-user tenant runs as SQL: the query plan for userName eq uses the unique
// index, results are right at that size, and the process does not load the tenant to filter it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { parseFilter, resolveFilter, userResourceType } from "@scimgw/scim";
import type { Knex } from "knex";
import { dialectOf } from "../database/open-database.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { userContent, type UserRow } from "./user-row.js";
import { createUserStore, matchingUsers, type UserStore } from "./user-store.js";

const size = 100_000;
const filterOf = (text: string) => resolveFilter(parseFilter(text), userResourceType);

/** Rows written straight to the table in batches: creating 100,000 users one call at a time would test nothing more. */
async function seed(db: Knex, tenantId: string): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction(async (trx) => {
    for (let start = 0; start < size; start += 1000) {
      const rows: UserRow[] = [];
      for (let i = start; i < Math.min(size, start + 1000); i++) {
        const user = create(UserSchema, {
          userName: `user${i}@example.com`,
          title: i % 1000 === 0 ? "Needle" : `Title ${i % 97}`,
          emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
        });
        rows.push({
          tenant_id: tenantId,
          id: randomUUID(),
          ...userContent(user),
          password_hash: null,
          version: 1,
          created_at: now,
          last_modified: now,
        });
      }
      await trx.batchInsert("users", rows, 250);
    }
  });
  if (dialectOf(db) === "postgres") await db.raw("analyze users");
}

async function plan(db: Knex, query: Knex.QueryBuilder): Promise<string> {
  const { sql, bindings } = query.toSQL();
  if (dialectOf(db) === "sqlite") {
    const rows = (await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[])) as Array<{ detail: string }>;
    return rows.map((row) => row.detail).join("\n");
  }
  const result = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as { rows: Array<{ "QUERY PLAN": string }> };
  return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
}

for (const storeUnderTest of storesUnderTest) {
  describe(`a ${size.toLocaleString("en")}-user tenant on ${storeUnderTest.name}`, { timeout: 600_000 }, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("big")).id;
      await seed(db, tenant);
    });
    after(() => dispose());

    test("userName eq is answered through the (tenant, userName key) unique index", async () => {
      const detail = await plan(db, matchingUsers(db, tenant, filterOf('userName eq "USER77777@example.com"')));
      assert.match(detail, /users_tenant_user_name_key_unique/, detail);
      const page = await store.list(tenant, filterOf('userName eq "USER77777@example.com"'), 1, 100);
      assert.deepEqual(
        page.users.map((user) => user.userName),
        ["user77777@example.com"],
      );
      assert.equal(page.totalResults, 1);
    });

    test("externalId eq and id eq use indexes too", async () => {
      assert.match(await plan(db, matchingUsers(db, tenant, filterOf('externalId eq "x"'))), /users_tenant_external_id_order_index/);
      assert.match(
        await plan(db, matchingUsers(db, tenant, filterOf('id eq "x"'))),
        /users_pkey|sqlite_autoindex_users_1|PRIMARY KEY|USING INDEX/i,
      );
    });

    test("a filter on the long tail is SQL over the tenant's rows, with the right answer and a bounded page", async () => {
      const before = process.memoryUsage().heapUsed;
      const page = await store.list(tenant, filterOf('title eq "needle" and emails[type eq "work" and value ew "000@example.com"]'), 1, 10);
      const grown = process.memoryUsage().heapUsed - before;
      // Every thousandth user is a "Needle"; all but user0 have an email ending in "000@example.com".
      assert.equal(page.totalResults, size / 1000 - 1);
      assert.equal(page.users.length, 10);
      // Loading 100,000 users would take hundreds of megabytes; a page of ten takes next to nothing.
      assert.ok(grown < 50 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024 / 1024)} MB`);
    });

    test("the last page of the tenant is complete and the total exact", async () => {
      const page = await store.list(tenant, undefined, size - 4, 10);
      assert.equal(page.totalResults, size);
      assert.equal(page.users.length, 5);
    });
  });
}
