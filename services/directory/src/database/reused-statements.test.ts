// The SQLite readers keep each read's prepared statement: a read prepared once is not prepared
// again, a kept statement sees every commit and never holds up a checkpoint, a failed read is not
// kept, and the database still closes. SQLite only: PostgreSQL's kept plans are reused-plans.test.ts's;
// the writer's kept statements are sqlite-writer-client.test.ts's.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Knex } from "knex";
import { statementsPerConnection } from "./reused-statements.js";
import { countPrepares, useThingsDatabase } from "../test-support/sqlite-statements.js";

describe("SQLite readers keep their prepared statements", () => {
  let db: Knex;
  let writer: Knex;
  useThingsDatabase(async (things) => {
    ({ db, writer } = things);
    await writer("things").insert({ id: 1, name: "a" });
  });

  test("a read prepared once is run again without preparing it", async () => {
    const prepares = countPrepares();
    try {
      for (let i = 0; i < 5; i++) assert.equal((await db("things").where({ id: 1 }).first("name"))?.name, "a");
      assert.equal(prepares.count(), 1);
      // Another shape is another statement; raw SQL is prepared each time by knex, as before.
      await db("things").select("id").where("name", "a");
      assert.equal(prepares.count(), 2);
      await db.raw("select 1");
      await db.raw("select 1");
      assert.equal(prepares.count(), 4);
    } finally {
      prepares.restore();
    }
  });

  test("a kept statement sees each commit and holds no snapshot that would stop a checkpoint", async () => {
    const read = async () => (await db("things").where({ id: 1 }).first("name"))?.name;
    assert.equal(await read(), "a");
    await writer("things").where({ id: 1 }).update({ name: "b" });
    assert.equal(await read(), "b");
    const [checkpoint] = (await writer.raw("PRAGMA wal_checkpoint(TRUNCATE)")) as Array<{ busy: number }>;
    assert.equal(checkpoint?.busy, 0);
    await writer("things").where({ id: 1 }).update({ name: "a" });
    assert.equal(await read(), "a");
  });

  test("reads inside a reader's transaction keep their statements too", async () => {
    const names = await db.transaction(async (trx) => [
      (await trx("things").where({ id: 1 }).first("name"))?.name,
      (await trx("things").where({ id: 1 }).first("name"))?.name,
    ]);
    assert.deepEqual(names, ["a", "a"]);
  });

  test("a read that fails is refused and not kept; the same read works once it can", async () => {
    const missing = () => db("later").select("id");
    await assert.rejects(missing(), /no such table: later/);
    await writer.schema.createTable("later", (table) => table.integer("id"));
    assert.deepEqual(await missing(), []);
  });

  test("the statements kept per connection are bounded, and the database still closes", async () => {
    for (let i = 0; i <= statementsPerConnection + 5; i++)
      assert.equal(
        (
          await db("things")
            .select("id")
            .where("id", ">", -i - 1)
        ).length,
        1,
      );
    await db.destroy();
  });
});
