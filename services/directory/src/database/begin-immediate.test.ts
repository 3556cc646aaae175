// Two processes writing one SQLite file (the directory and the admin CLI): a write transaction that
// reads before it writes must wait for the other's commit, never fail with SQLITE_BUSY. Each
// openDatabase here has connections of its own, as a second process would.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { EntitlementKind, EntitlementSchema, EntitlementTypeSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { createCatalogStore } from "../entitlements/catalog-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { openDatabase } from "./open-database.js";
import { writeTransaction } from "./write-transaction.js";

const sqlite = storesUnderTest.find((store) => store.name === "sqlite");
assert.ok(sqlite, "SQLite is always under test");

describe("two processes writing one SQLite file", () => {
  let directory: TemporaryDatabase;
  let cli: Knex;
  before(async () => {
    directory = await sqlite.open();
    cli = openDatabase(directory.location);
  });
  after(async () => {
    await cli.destroy();
    await directory.dispose();
  });

  test("a write that reads first waits for the other process's commit instead of failing", async () => {
    const tenant = await createTenantStore(directory.db).create("reads-first");
    let readDone = () => {};
    const read = new Promise<void>((resolve) => {
      readDone = resolve;
    });
    let otherDone = false;
    const readsFirst = writeTransaction(directory.db, undefined, async (trx) => {
      assert.ok(await trx("tenants").where({ id: tenant.id }).first("id"));
      readDone();
      // Deferred, the other process commits meanwhile and the update below fails with SQLITE_BUSY;
      // begun IMMEDIATE, the other process waits for this commit.
      for (let waited = 0; waited < 300 && !otherDone; waited += 10) await delay(10);
      await trx("tenants").where({ id: tenant.id }).update({ name: "read-then-written" });
      return otherDone;
    });
    await read;
    const other = createTenantStore(cli)
      .create("other-process")
      .finally(() => {
        otherDone = true;
      });
    const [otherCommittedFirst] = await Promise.all([readsFirst, other]);
    assert.equal(otherCommittedFirst, false, "the other process's write waited for the transaction that began first");
    assert.equal((await createTenantStore(cli).resolve(tenant.id)).name, "read-then-written");
  });

  test("catalog upserts from both processes at once never fail with SQLITE_BUSY", async () => {
    const tenant = await createTenantStore(directory.db).create("catalog");
    const stores = [createCatalogStore(directory.db), createCatalogStore(cli)];
    await stores[0]?.putType(
      tenant.id,
      create(EntitlementTypeSchema, { name: "License", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Licenses" }),
    );
    const rounds = 200;
    const failures: unknown[] = [];
    await Promise.all(
      stores.map(async (store, process) => {
        for (let round = 0; round < rounds; round++) {
          // The type is read, then the entry read and written: a read before every write.
          const entry = create(EntitlementSchema, { type: "License", id: `p${process}-${round % 10}`, displayName: `Round ${round}` });
          await store.upsert(tenant.id, entry).catch((error: unknown) => failures.push(error));
        }
      }),
    );
    assert.equal(failures.length, 0, `${failures.length} of ${2 * rounds} upserts failed, the first with ${String(failures[0])}`);
    const entries = await directory.db("entitlements").where({ tenant_id: tenant.id }).select("id", "display_name");
    assert.equal(entries.length, 20);
    // Each entry holds its last round's name: every upsert of both processes committed, in order.
    for (const entry of entries) assert.equal(entry.display_name, `Round ${rounds - 10 + Number(entry.id.split("-")[1])}`, entry.id);
  });

  test("a read transaction keeps knex's deferred BEGIN: a snapshot held open stops no write", async () => {
    await directory.db.transaction(async (snapshot) => {
      await snapshot("tenants").count({ n: "*" });
      // Begun IMMEDIATE, this snapshot would hold the write lock, and the write would wait 5 s and fail.
      const written = createTenantStore(cli).create("beside-a-snapshot");
      assert.equal(await Promise.race([written.then(() => "written"), delay(2_000, "waited")]), "written");
    });
  });
});

test("an in-memory SQLite database begins its write transactions IMMEDIATE too", async () => {
  const db = openDatabase({ kind: "sqlite", filename: ":memory:" });
  try {
    const begun: string[] = [];
    db.on("query", (query: { sql: string }) => {
      if (/^begin/i.test(query.sql)) begun.push(query.sql);
    });
    await writeTransaction(db, undefined, (trx) => trx.raw("create table things (name text)"));
    assert.deepEqual(begun, ["BEGIN IMMEDIATE;"]);
  } finally {
    await db.destroy();
  }
});
