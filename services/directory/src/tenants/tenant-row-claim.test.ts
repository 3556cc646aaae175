// On SQLite's one writer a group commit claims each tenant's row once, at the group's end, for all
// of the group's writes to it (claimAtCommit): one UPDATE per tenant instead of one per write, the
// change and activity numbers still gap-free and in the writes' order; a write validated by a stale
// schema is refused in its own savepoint; a recount in the middle of a group counts what the
// writes before it will add.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { writeTransaction } from "../database/write-transaction.js";
import { writerOf } from "../database/open-database.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { createUserStore } from "../users/user-store.js";
import { createTenantStore } from "./tenant-store.js";

const sqlite = storesUnderTest.find((store) => store.name === "sqlite");

if (sqlite !== undefined)
  test("sqlite: a group's writes claim each tenant's row once, numbered in order, a stale one refused alone", async () => {
    const database = await sqlite.open();
    const { db } = database;
    try {
      const writer = writerOf(db);
      assert.ok(writer, "an SQLite file has a group-commit writer");
      const tenants = createTenantStore(db);
      const [a, b] = [(await tenants.create("a")).id, (await tenants.create("b")).id];
      const users = createUserStore(db);
      const stale = await users.schemas.get(b);
      const current = await users.schemas.get(b, await registerExtension(db, b, acmeUserExtension));
      const claims: string[] = [];
      writer.knex.on("query", (query: { sql: string }) => {
        if (/^update .tenants. set/i.test(query.sql.trim())) claims.push(query.sql);
      });

      // Hold the writer so that everything below queues behind it and commits as one group.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = () => {};
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const holder = writeTransaction(db, undefined, async () => {
        started();
        await released;
      });
      await running;
      const commitsBefore = writer.counts.commits;
      const userOf = (n: number) => create(UserSchema, { userName: `user${n}@example.com` });
      // Each call reaches the writer's queue a few awaits after it is made; wait for it, so the queue
      // (the group's order) is the order below.
      const queued: Promise<unknown>[] = [];
      const queue = async (write: () => Promise<unknown>): Promise<void> => {
        const before = writer.counts.queued;
        const written = write();
        written.catch(() => {}); // settled below, with the others
        queued.push(written);
        while (writer.counts.queued === before) await new Promise((resolve) => setImmediate(resolve));
      };
      for (let n = 0; n < 6; n++) await queue(() => users.create(a, userOf(n)));
      await queue(() => users.create(b, userOf(10), { schema: current }));
      await queue(() => users.create(b, userOf(11), { schema: stale }));
      await queue(() => tenants.recountResources(a));
      await queue(() => users.create(b, userOf(12), { schema: current }));
      await queue(() => users.create(a, userOf(6)));
      release();
      await holder;
      const outcomes = await Promise.allSettled(queued);
      assert.deepEqual(
        outcomes.map((outcome) =>
          outcome.status === "fulfilled" ? "ok" : String(outcome.reason).includes("schema") ? "schema" : outcome.reason,
        ),
        ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "schema", "ok", "ok", "ok"],
      );
      assert.equal(
        writer.counts.commits - commitsBefore,
        2,
        "the holder's, then one group: the stale write rolled back in its own savepoint",
      );
      // a and b claimed once each at the group's end, plus the stale write's own claim and the recount.
      assert.equal(claims.length, 4, claims.join("\n"));
      assert.deepEqual(
        (outcomes[8] as PromiseFulfilledResult<unknown>).value,
        { users: { kept: 6, counted: 6 }, groups: { kept: 0, counted: 0 } },
        "the recount counts the six creates queued before it",
      );
      const events = await db("change_events").where({ tenant_id: a }).orderBy("seq").select("seq", "resource_id");
      assert.deepEqual(
        events.map((event) => Number(event.seq)),
        [1, 2, 3, 4, 5, 6, 7],
      );
      const created = [0, 1, 2, 3, 4, 5, 10].map((index) => (outcomes[index] as PromiseFulfilledResult<{ id: string }>).value.id);
      assert.deepEqual(
        events.map((event) => event.resource_id),
        created,
        "numbered in the writes' order",
      );
      const row = await db("tenants").where({ id: a }).first("user_count", "last_change_seq");
      assert.deepEqual([Number(row.user_count), Number(row.last_change_seq)], [7, 7]);
      const bEvents = await db("change_events").where({ tenant_id: b, resource_type: "User" }).orderBy("seq").select("seq");
      assert.equal(bEvents.length, 2);
      assert.equal(Number((await db("tenants").where({ id: b }).first("user_count")).user_count), 2);
    } finally {
      await database.dispose();
    }
  });
