import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateAllDown, migrateToLatest, migrationNames } from "./migrate.js";
import { openDatabase } from "./open-database.js";

test("migrations go up, all the way down, and up again", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-migrate-"));
  const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "d.sqlite") });
  try {
    await migrateToLatest(db);
    for (const table of ["tenants", "api_keys", "users"]) assert.ok(await db.schema.hasTable(table), table);
    const applied = await db("knex_migrations").select("name").orderBy("id");
    assert.deepEqual(applied.map((row: { name: string }) => row.name), migrationNames);

    await migrateToLatest(db); // a second start is a no-op
    assert.equal((await db("knex_migrations").count({ n: "*" }).first())?.n, migrationNames.length);

    await migrateAllDown(db);
    for (const table of ["tenants", "api_keys", "users"]) assert.equal(await db.schema.hasTable(table), false, table);

    await migrateToLatest(db);
    assert.ok(await db.schema.hasTable("users"));
  } finally {
    await db.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
});

test("every connection runs with WAL, foreign keys and a busy timeout", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-pragmas-"));
  const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "d.sqlite") });
  try {
    const pragma = async (name: string) => Object.values((await db.raw(`PRAGMA ${name}`))[0] as Record<string, unknown>)[0];
    assert.equal(await pragma("journal_mode"), "wal");
    assert.equal(await pragma("foreign_keys"), 1);
    assert.equal(await pragma("busy_timeout"), 5000);
  } finally {
    await db.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
});
