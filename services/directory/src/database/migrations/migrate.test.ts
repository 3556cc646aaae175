import { test } from "node:test";
import assert from "node:assert/strict";
import { storesUnderTest } from "../../test-support/stores-under-test.js";
import { migrateAllDown, migrateToLatest, migrationNames } from "./migrate.js";
import { openDatabase } from "../open-database.js";

const tables = [
  "tenants",
  "api_keys",
  "users",
  "groups",
  "group_members",
  "change_events",
  "operators",
  "operator_sessions",
  "operator_sign_in_failures",
  "setup_links",
];

for (const store of storesUnderTest) {
  test(`${store.name}: migrations go up, all the way down, and up again`, async () => {
    const { db, dispose } = await store.open({ migrate: false });
    try {
      await migrateToLatest(db);
      for (const table of tables) assert.ok(await db.schema.hasTable(table), table);
      const applied = await db("knex_migrations").select("name").orderBy("id");
      assert.deepEqual(
        applied.map((row: { name: string }) => row.name),
        migrationNames,
      );

      await migrateToLatest(db); // a second start is a no-op
      assert.equal(Number((await db("knex_migrations").count({ n: "*" }).first())?.n), migrationNames.length);

      await migrateAllDown(db);
      for (const table of tables) assert.equal(await db.schema.hasTable(table), false, table);

      await migrateToLatest(db);
      assert.ok(await db.schema.hasTable("users"));
    } finally {
      await dispose();
    }
  });

  test(`${store.name}: replicas starting at once migrate exactly once`, async () => {
    const first = await store.open({ migrate: false });
    // Four more connections to the same database, as four more directory replicas would have.
    const replicas = Array.from({ length: 4 }, () => openDatabase(first.location));
    try {
      await Promise.all([first.db, ...replicas].map((db) => migrateToLatest(db)));
      const applied = await first.db("knex_migrations").select("name").orderBy("id");
      assert.deepEqual(
        applied.map((row: { name: string }) => row.name),
        migrationNames,
      );
    } finally {
      await Promise.all(replicas.map((db) => db.destroy()));
      await first.dispose();
    }
  });
}

test("every SQLite connection runs with WAL, foreign keys, a busy timeout and case-sensitive LIKE", async () => {
  const sqlite = storesUnderTest.find((store) => store.name === "sqlite")!;
  const { db, dispose } = await sqlite.open();
  try {
    const pragma = async (name: string) => Object.values((await db.raw(`PRAGMA ${name}`))[0] as Record<string, unknown>)[0];
    assert.equal(await pragma("journal_mode"), "wal");
    assert.equal(await pragma("foreign_keys"), 1);
    assert.equal(await pragma("busy_timeout"), 5000);
    assert.equal(((await db.raw("select ('ABC' like '%b%') as matched"))[0] as { matched: number }).matched, 0);
  } finally {
    await dispose();
  }
});
