import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { GroupSchema, UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { migrationNames } from "../database/migrations/migrate.js";
import { openDatabase, openSqliteReadOnly } from "../database/open-database.js";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { BackupError, backupStore } from "./backup-store.js";
import { copiedTables } from "./copied-tables.js";
import { digestTable } from "./table-digest.js";

/** A tenant with a key, users and a group with members: every kind of row a backup must carry. */
async function fill(db: Knex): Promise<string> {
  const tenant = await createTenantStore(db).create("acme");
  await createApiKeyStore(db).issue(tenant.id, "okta");
  const users = createUserStore(db);
  const ids: string[] = [];
  for (const userName of ["ada@example.com", "zoë@example.com", "李@example.com"])
    ids.push((await users.create(tenant.id, create(UserSchema, { userName, name: { givenName: "G", familyName: "F" } }))).id);
  await createGroupStore(db).create(
    tenant.id,
    create(GroupSchema, { displayName: "Engineering", members: ids.map((value) => ({ value })) }),
  );
  return tenant.id;
}

const rowsOf = (report: { tables: Array<{ table: string; rows: number }> }) =>
  Object.fromEntries(report.tables.map(({ table, rows }) => [table, rows]));

for (const store of storesUnderTest) {
  if (store.name === "postgres") {
    describe("backup on postgres", () => {
      let database: TemporaryDatabase;
      before(async () => {
        database = await store.open();
        await fill(database.db);
      });
      after(() => database.dispose());

      test("is refused with a pointer to pg_dump, and writes nothing", async () => {
        const folder = mkdtempSync(path.join(tmpdir(), "scimgw-backup-"));
        const file = path.join(folder, "backup.sqlite");
        await assert.rejects(backupStore(database.db, database.location, { to: file }), (error: unknown) => {
          assert.ok(error instanceof BackupError);
          assert.equal(error.exitCode, 2);
          assert.match(error.message, /PostgreSQL/);
          assert.match(error.message, /pg_dump --format=custom --schema=directory_test\w* /);
          return true;
        });
        assert.deepEqual(readdirSync(folder), []);
        rmSync(folder, { recursive: true });
      });
    });
    continue;
  }

  describe("backup on sqlite", () => {
    let database: TemporaryDatabase;
    let live = "";
    let folder = "";
    before(async () => {
      database = await store.open();
      if (database.location.kind !== "sqlite") throw new Error("an SQLite store");
      live = database.location.filename;
      folder = path.join(path.dirname(live), "backups");
      await fill(database.db);
    });
    after(() => database.dispose());

    test("writes an owner-only copy equal to the store, and reports what it checked", async () => {
      const file = path.join(folder, "first.sqlite");
      const report = await backupStore(database.db, database.location, { to: file });
      assert.equal(report.file, file);
      assert.equal(report.source, `sqlite:${live}`);
      assert.equal(report.bytes, statSync(file).size);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.deepEqual(
        { integrity: report.integrityCheck, foreignKeys: report.foreignKeyCheck, schema: report.schema },
        { integrity: "ok", foreignKeys: "ok", schema: { latestMigration: migrationNames.at(-1), pendingForThisBuild: [] } },
      );
      assert.deepEqual(
        report.tables.map((table) => table.table),
        copiedTables.map((table) => table.name),
      );
      assert.deepEqual(
        {
          tenants: rowsOf(report).tenants,
          users: rowsOf(report).users,
          groups: rowsOf(report).groups,
          members: rowsOf(report).group_members,
        },
        { tenants: 1, users: 3, groups: 1, members: 3 },
      );

      // Row for row the same as the store, read from the file itself.
      const copy = openSqliteReadOnly(file);
      try {
        for (const table of copiedTables)
          assert.deepEqual(await digestTable(copy, table), await digestTable(database.db, table), table.name);
      } finally {
        await copy.destroy();
      }
      // One self-contained file (no -wal or -journal beside it), and no hidden partial copy left behind.
      assert.deepEqual(readdirSync(folder), ["first.sqlite"]);
    });

    test("refuses an existing file without --force, and with it replaces the file only with a verified copy", async () => {
      const file = path.join(folder, "existing.sqlite");
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, "an older backup");
      await assert.rejects(backupStore(database.db, database.location, { to: file }), (error: unknown) => {
        assert.ok(error instanceof BackupError);
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /already exists; choose a new file name, or add --force/);
        return true;
      });
      assert.equal(statSync(file).size, "an older backup".length);

      const report = await backupStore(database.db, database.location, { to: file, force: true });
      assert.equal(rowsOf(report).users, 3);
      assert.equal(statSync(file).mode & 0o777, 0o600);
    });

    test("never writes over the live database or its companion files, even with --force", async () => {
      for (const target of [live, `${live}-wal`, `${live}-shm`, `${live}-journal`]) {
        await assert.rejects(
          backupStore(database.db, database.location, { to: target, force: true }),
          /is the live database \(or one of its files\)/,
          target,
        );
      }
      // The store is untouched.
      assert.equal(Number((await database.db("users").count({ n: "*" }).first())?.n), 3);
    });

    test("refuses a folder as the target", async () => {
      await assert.rejects(backupStore(database.db, database.location, { to: folder, force: true }), /is a folder/);
    });

    test("is one instant of the store while another connection writes", async () => {
      // A second connection to the file is what the directory process is to the admin CLI.
      const writer = openDatabase(database.location);
      const tenantId = (await createTenantStore(writer).create("busy")).id;
      const users = createUserStore(writer);
      let written = 0;
      let stop = false;
      const writing = (async () => {
        while (!stop) {
          await users.create(tenantId, create(UserSchema, { userName: `busy-${String(written).padStart(5, "0")}@example.com` }));
          written += 1;
        }
      })();
      try {
        // Let the writer get going, so the copy starts in the middle of its writes.
        while (written < 20) await new Promise((resolve) => setTimeout(resolve, 5));
        const file = path.join(folder, "while-writing.sqlite");
        await backupStore(database.db, database.location, { to: file });
        stop = true;
        await writing;

        // The writer committed busy-00000, busy-00001, … one after another: a consistent copy
        // holds exactly the first n of them, with no gap, for some n.
        const copy = openSqliteReadOnly(file);
        try {
          const names = (await copy("users").where({ tenant_id: tenantId }).orderBy("user_name").pluck("user_name")) as string[];
          assert.ok(names.length >= 20 && names.length <= written, `${names.length} of ${written}`);
          assert.deepEqual(
            names,
            names.map((_, i) => `busy-${String(i).padStart(5, "0")}@example.com`),
          );
        } finally {
          await copy.destroy();
        }
      } finally {
        stop = true;
        await writing;
        await writer.destroy();
      }
    });
  });
}
