import { test } from "node:test";
import assert from "node:assert/strict";
import { storesUnderTest } from "../../test-support/stores-under-test.js";
import { migrateToLatest, migrationNames, requireCurrentSchema } from "./migrate.js";
import { SchemaMismatchError } from "./schema-version.js";

const mismatch = (kind: SchemaMismatchError["kind"]) => (error: unknown) => error instanceof SchemaMismatchError && error.kind === kind;

for (const store of storesUnderTest) {
  test(`${store.name}: a fresh database is uninitialised, a migrated one current, one missing a migration behind`, async () => {
    const { db, dispose } = await store.open({ migrate: false });
    try {
      await assert.rejects(requireCurrentSchema(db), mismatch("uninitialised"));
      await migrateToLatest(db);
      await requireCurrentSchema(db);
      await db("knex_migrations")
        .where({ name: migrationNames.at(-1) })
        .delete();
      await assert.rejects(
        requireCurrentSchema(db),
        (error: unknown) => mismatch("behind")(error) && String(error).includes(migrationNames.at(-1)!),
      );
    } finally {
      await dispose();
    }
  });

  test(`${store.name}: a database migrated by a newer build is refused, by commands and by migrations alike`, async () => {
    const { db, dispose } = await store.open({ migrate: false });
    try {
      await migrateToLatest(db);
      await db("knex_migrations").insert({ name: "9999-from-the-future", batch: 99, migration_time: new Date() });
      await assert.rejects(requireCurrentSchema(db), mismatch("newer"));
      await assert.rejects(
        migrateToLatest(db),
        (error: unknown) => mismatch("newer")(error) && String(error).includes("9999-from-the-future"),
      );
    } finally {
      await dispose();
    }
  });
}
