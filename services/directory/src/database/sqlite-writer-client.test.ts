// Two processes writing one SQLite file (the directory and the admin CLI): a write transaction that
// reads before it writes must wait for the other's commit, never fail with SQLITE_BUSY. Each
// openDatabase here has connections of its own, as a second process would. And the writer keeps
// every statement of its transactions prepared, savepoints included, with the same answers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { EntitlementKind, EntitlementSchema, EntitlementTypeSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { createCatalogStore } from "../entitlements/catalog-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { countPrepares, countStatementRuns, useThingsDatabase } from "../test-support/sqlite-statements.js";
import { openDatabase } from "./open-database.js";
import { maxKeptBindings, WriteNotUndone, writeInGroup } from "./sqlite-writer-client.js";
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

describe("the SQLite writer keeps every statement of its transactions", () => {
  let db: Knex;
  let writer: Knex;
  useThingsDatabase((things) => {
    ({ db, writer } = things);
  });

  /**
   * One write of every kind the directory's writes make: a transaction, an insert, an update
   * answering its count, a delete, a savepoint kept, a savepoint rolled back after a constraint
   * violation, and one nested in another.
   */
  async function writeRound(round: number): Promise<{ updated: number; deleted: number }> {
    return writer.transaction(async (trx) => {
      await trx("things").insert({ id: round, name: "new" });
      const updated = await trx("things").where({ id: round }).update({ name: "updated" });
      await trx.transaction(async (savepoint) => {
        await savepoint("things").insert({ id: 1000 + round, name: "kept" });
        await savepoint.transaction((inner) => inner("things").insert({ id: 2000 + round, name: "nested" }));
      });
      await assert.rejects(
        trx.transaction(async (savepoint) => {
          await savepoint("things").insert({ id: 3000 + round, name: "rolled back" });
          await savepoint("things").insert({ id: round, name: "taken" });
        }),
        /UNIQUE constraint failed/,
      );
      const deleted = await trx("things")
        .where({ id: 2000 + round })
        .del();
      return { updated, deleted };
    });
  }

  test("later rounds of the same writes prepare only the statement that failed, and answer as the first did", async () => {
    const prepares = countPrepares();
    try {
      assert.deepEqual(await writeRound(1), { updated: 1, deleted: 1 });
      const firstRound = prepares.count();
      assert.ok(firstRound > 0);
      for (let round = 2; round <= 5; round++) assert.deepEqual(await writeRound(round), { updated: 1, deleted: 1 });
      // Only the INSERT that failed is prepared again each round: a failed statement is not kept.
      // Savepoints named by their transaction's id ("trx1234") would be new statements every round.
      assert.equal(prepares.count(), firstRound + 4);
    } finally {
      prepares.restore();
    }
    const names = await db("things").orderBy("id").select("id", "name");
    assert.deepEqual(
      names,
      [1, 2, 3, 4, 5]
        .map((round) => ({ id: round, name: "updated" }))
        .concat([1, 2, 3, 4, 5].map((round) => ({ id: 1000 + round, name: "kept" }))),
    );
  });

  test("a rolled-back savepoint inside a savepoint undoes only itself", async () => {
    await writer.transaction(async (trx) => {
      await trx.transaction(async (outer) => {
        await outer("things").insert({ id: 4001, name: "outer" });
        await assert.rejects(
          outer.transaction(async (inner) => {
            await inner("things").insert({ id: 4002, name: "inner" });
            throw new Error("inner gives up");
          }),
          /inner gives up/,
        );
        await outer("things").insert({ id: 4003, name: "outer again" });
      });
    });
    assert.deepEqual(await db("things").where("id", ">", 4000).orderBy("id").pluck("id"), [4001, 4003]);
  });

  test("savepoints released late undo and keep exactly what they did", async () => {
    const fails = (message: string) => Promise.reject(new Error(message));
    await writer.transaction(async (trx) => {
      await trx.transaction((a) => a("things").insert({ id: 5001, name: "a" }));
      await assert.rejects(
        trx.transaction(async (b) => {
          await b("things").insert({ id: 5002, name: "b" });
          return fails("b gives up");
        }),
        /b gives up/,
      );
      await trx.transaction(async (c) => {
        await c("things").insert({ id: 5003, name: "c" });
        await c.transaction((c1) => c1("things").insert({ id: 5004, name: "c1" }));
        await assert.rejects(
          c.transaction(async (c2) => {
            await c2("things").insert({ id: 5005, name: "c2" });
            return fails("c2 gives up");
          }),
          /c2 gives up/,
        );
      });
      // A savepoint whose inner one was released, rolled back: both undone.
      await assert.rejects(
        trx.transaction(async (d) => {
          await d("things").insert({ id: 5006, name: "d" });
          await d.transaction((d1) => d1("things").insert({ id: 5007, name: "d1" }));
          return fails("d gives up");
        }),
        /d gives up/,
      );
      await trx("things").insert({ id: 5008, name: "top" });
    });
    assert.deepEqual(await db("things").whereBetween("id", [5000, 5999]).orderBy("id").pluck("id"), [5001, 5003, 5004, 5008]);
  });

  test("a transaction rolled back with a release put off leaves nothing behind for the next", async () => {
    await assert.rejects(
      writer.transaction(async (trx) => {
        await trx.transaction((a) => a("things").insert({ id: 6001, name: "a" }));
        throw new Error("the whole transaction gives up");
      }),
      /the whole transaction gives up/,
    );
    // Had the put-off RELEASE survived the ROLLBACK, this savepoint would fail with "no such savepoint".
    await writer.transaction((trx) => trx.transaction((b) => b("things").insert({ id: 6002, name: "b" })));
    await writer
      .transaction(async (trx) => {
        await trx.transaction((c) => c("things").insert({ id: 6003, name: "c" }));
        await trx.raw("ROLLBACK");
      })
      .catch(() => {});
    await writer.transaction((trx) => trx.transaction((d) => d("things").insert({ id: 6004, name: "d" })));
    assert.deepEqual(await db("things").whereBetween("id", [6000, 6999]).orderBy("id").pluck("id"), [6002, 6004]);
  });

  test("sibling savepoints cost the writer one call each: the RELEASE runs with the next SAVEPOINT", async () => {
    const calls = countStatementRuns();
    try {
      await writer.transaction(async (trx) => {
        for (let i = 1; i <= 5; i++) await trx.transaction((savepoint) => savepoint("things").insert({ id: 7000 + i, name: "sibling" }));
      });
    } finally {
      calls.restore();
    }
    // BEGIN, five SAVEPOINTs (four with the RELEASE before them), five INSERTs, COMMIT (which releases the last).
    assert.equal(calls.count(), 12);
    assert.equal((await db("things").whereBetween("id", [7001, 7005]).count({ n: "*" }))[0]?.n, 5);
  });

  test(`an INSERT of more than ${maxKeptBindings} values is prepared each time, a smaller one kept`, async () => {
    const rowsFrom = (first: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: first + i, name: "many" }));
    const prepares = countPrepares();
    try {
      // Two values a row: just inside the limit, then just past it, each shape twice.
      for (const first of [8000, 8100]) await writer("things").insert(rowsFrom(first, maxKeptBindings / 2));
      assert.equal(prepares.count(), 1);
      for (const first of [8200, 8400]) await writer("things").insert(rowsFrom(first, maxKeptBindings / 2 + 1));
      assert.equal(prepares.count(), 3);
    } finally {
      prepares.restore();
    }
  });

  test("kept write statements hold up no checkpoint", async () => {
    await writeRound(6);
    const [checkpoint] = (await writer.raw("PRAGMA wal_checkpoint(TRUNCATE)")) as Array<{ busy: number }>;
    assert.equal(checkpoint?.busy, 0);
  });
});

describe("a group commit's write savepoints cost the writer nothing until a write must be undone", () => {
  let db: Knex;
  let writer: Knex;
  useThingsDatabase((things) => {
    ({ db, writer } = things);
  });

  const idsBetween = (low: number, high: number) => db("things").whereBetween("id", [low, high]).orderBy("id").pluck("id");

  test("writes in savepoints of their own run as one statement each, between BEGIN and COMMIT", async () => {
    const calls = countStatementRuns();
    try {
      await writer.transaction(async (trx) => {
        for (let i = 1; i <= 5; i++) await trx.transaction((write) => write("things").insert({ id: 100 + i, name: "write" }), writeInGroup);
      });
    } finally {
      calls.restore();
    }
    // BEGIN, five INSERTs, COMMIT: no SAVEPOINT and no RELEASE (sibling savepoints cost 12).
    assert.equal(calls.count(), 7);
    assert.deepEqual(await idsBetween(101, 105), [101, 102, 103, 104, 105]);
  });

  test("a write that fails before changing a row is undone without a savepoint; the others keep theirs", async () => {
    await writer.transaction(async (trx) => {
      await trx.transaction((write) => write("things").insert({ id: 201, name: "first" }), writeInGroup);
      // Its INSERT fails on the taken id: SQLite undoes the whole statement.
      await assert.rejects(
        trx.transaction(async (write) => {
          await write("things").where({ id: 299 }).update({ name: "nobody" });
          await write("things").insert({ id: 201, name: "taken" });
        }, writeInGroup),
        /UNIQUE constraint failed/,
      );
      // A read that finds the conflict changed nothing.
      await assert.rejects(
        trx.transaction(async (write) => {
          if ((await write("things").where({ id: 201 }).first()) !== undefined) throw new Error("id 201 is taken");
        }, writeInGroup),
        /id 201 is taken/,
      );
      // An UPDATE … RETURNING that found no row changed none.
      await assert.rejects(
        trx.transaction(async (write) => {
          const found = await write("things").where({ id: 298 }).update({ name: "nobody" }, ["id"]);
          assert.equal(found.length, 0);
          throw new Error("no such thing");
        }, writeInGroup),
        /no such thing/,
      );
      await trx.transaction((write) => write("things").insert({ id: 202, name: "last" }), writeInGroup);
    });
    assert.deepEqual(await idsBetween(200, 299), [201, 202]);
    assert.deepEqual(await db("things").where({ id: 201 }).pluck("name"), ["first"]);
  });

  test("a write that fails after changing a row fails its savepoint's rollback with WriteNotUndone", async () => {
    for (const change of [
      (write: Knex.Transaction) => write("things").insert({ id: 301, name: "inserted" }),
      (write: Knex.Transaction) => write("things").where({ id: 201 }).update({ name: "changed" }),
      (write: Knex.Transaction) => write.raw("delete from things where id = 999"),
    ]) {
      await assert.rejects(
        writer.transaction(async (trx) => {
          await trx.transaction(async (write) => {
            await change(write);
            throw new Error("gives up after changing");
          }, writeInGroup);
        }),
        WriteNotUndone,
      );
    }
    assert.deepEqual(await idsBetween(300, 399), []);
    assert.deepEqual(await db("things").where({ id: 201 }).pluck("name"), ["first"]);
  });

  test("its own savepoints inside a write are real ones and undo what they did", async () => {
    await writer.transaction(async (trx) => {
      await trx.transaction(async (write) => {
        await write("things").insert({ id: 401, name: "write" });
        await assert.rejects(
          write.transaction(async (inner) => {
            await inner("things").insert({ id: 402, name: "inner" });
            throw new Error("inner gives up");
          }),
          /inner gives up/,
        );
      }, writeInGroup);
    });
    assert.deepEqual(await idsBetween(400, 499), [401]);
  });
});
