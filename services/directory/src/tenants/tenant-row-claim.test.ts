// On SQLite's one writer a group commit claims each tenant's row once, at the group's end, for all
// of the group's writes to it (claimAtCommit): one UPDATE per tenant instead of one per write, the
// change and activity numbers still gap-free and in the writes' order; a write validated by a stale
// schema is refused before it changes a row, so alone; a recount in the middle of a group counts what the
// writes before it will add.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ErrorReason, ScimRequestSchema, UserSchema } from "@scimgw/proto";
import { writeTransaction } from "../database/write-transaction.js";
import { writerOf } from "../database/open-database.js";
import { asOneGroup } from "../test-support/hold-writer.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { createUserStore } from "../users/user-store.js";
import { createTenantStore } from "./tenant-store.js";

const outcomeOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === "fulfilled"
    ? "ok"
    : (outcome.reason as { reason?: unknown }).reason === ErrorReason.SCHEMA_CHANGED
      ? "schema"
      : outcome.reason;

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

      const commitsBefore = writer.counts.commits;
      const userOf = (n: number) => create(UserSchema, { userName: `user${n}@example.com` });
      const withEntry = (n: number) => ({
        scimRequest: create(ScimRequestSchema, { requestId: `req-${n}`, keyLabel: "okta", method: "POST", path: "/Users" }),
      });
      const outcomes = await asOneGroup(db, writer, [
        ...[0, 1, 2, 3, 4, 5].map((n) => () => users.create(a, userOf(n), withEntry(n))),
        () => users.create(b, userOf(10), { schema: current }),
        () => users.create(b, userOf(11), { schema: stale }),
        () => tenants.recountResources(a),
        () => users.create(b, userOf(12), { schema: current }),
        () => users.create(a, userOf(6), withEntry(6)),
      ]);
      assert.deepEqual(
        outcomes.map((outcome) =>
          outcome.status === "fulfilled" ? "ok" : String(outcome.reason).includes("schema") ? "schema" : outcome.reason,
        ),
        ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "schema", "ok", "ok", "ok"],
      );
      assert.equal(
        writer.counts.commits - commitsBefore,
        2,
        "the holder's, then one group: the stale write refused before it changed a row, alone",
      );
      // a and b claimed once each, at the group's end, and the recount's own UPDATE: the stale write
      // was refused by a read of the revision in its savepoint, before any claim.
      assert.equal(claims.length, 3, claims.join("\n"));
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
      const entries = await db("activity_entries").where({ tenant_id: a }).orderBy("seq").select("seq", "request_id");
      assert.deepEqual(
        entries.map((entry) => [Number(entry.seq), entry.request_id]),
        [0, 1, 2, 3, 4, 5, 6].map((n) => [n + 1, `req-${n}`]),
        "activity entries numbered with the events, in the writes' order",
      );
      const row = await db("tenants").where({ id: a }).first("user_count", "last_change_seq", "last_activity_seq");
      assert.deepEqual([Number(row.user_count), Number(row.last_change_seq), Number(row.last_activity_seq)], [7, 7, 7]);
      // b: the extension's event, then the two creates; the refused write's claim left no gap.
      const bEvents = await db("change_events").where({ tenant_id: b }).orderBy("seq").select("seq", "resource_type");
      assert.deepEqual(
        bEvents.map((event) => [Number(event.seq), event.resource_type]),
        [
          [1, "SchemaExtension"],
          [2, "User"],
          [3, "User"],
        ],
      );
      const bRow = await db("tenants").where({ id: b }).first("user_count", "last_change_seq");
      assert.deepEqual([Number(bRow.user_count), Number(bRow.last_change_seq)], [2, 3]);
    } finally {
      await database.dispose();
    }
  });

if (sqlite !== undefined)
  test("sqlite: a schema change this process did not make: a valid write keeps its place, a stale one fails once its group runs again", async () => {
    const database = await sqlite.open();
    const { db } = database;
    try {
      const writer = writerOf(db);
      assert.ok(writer);
      const tenant = (await createTenantStore(db).create("c")).id;
      const users = createUserStore(db);
      const r1 = await users.schemas.get(tenant, await registerExtension(db, tenant, acmeUserExtension));
      const userOf = (n: number) => create(UserSchema, { userName: `user${n}@example.com` });
      const first = await users.create(tenant, userOf(1), { schema: r1 });
      // Another process (an admin CLI) changes the schema: this process still knows revision 1.
      const anotherProcess = async (revision: number) =>
        writeTransaction(db, undefined, (trx) => trx("tenants").where({ id: tenant }).update({ schema_revision: revision }));
      await anotherProcess(2);
      const r2 = { ...r1, revision: 2n };

      const inOrder = await asOneGroup(db, writer, [
        () => users.delete(tenant, first.id),
        () => users.create(tenant, userOf(2), { schema: r2 }),
      ]);
      assert.deepEqual(inOrder.map(outcomeOf), ["ok", "ok"]);
      const events = async () =>
        (await db("change_events").where({ tenant_id: tenant, resource_type: "User" }).orderBy("seq").select("seq", "kind")).map(
          (event) => [Number(event.seq), event.kind],
        );
      assert.deepEqual(
        await events(),
        [
          [2, "created"],
          [3, "deleted"],
          [4, "created"],
        ],
        "the delete, held, and the create checked against the row keep the order they were written in",
      );

      // Again, and this time a write by the revision this process knows is stale: only the claim at
      // the group's end finds it, the group runs again alone, and each write has its own answer.
      await anotherProcess(3);
      const r3 = { ...r1, revision: 3n };
      const commitsBefore = writer.counts.commits;
      const again = await asOneGroup(db, writer, [
        () => users.create(tenant, userOf(3), { schema: r2 }),
        () => users.create(tenant, userOf(4), { schema: r3 }),
      ]);
      assert.deepEqual(again.map(outcomeOf), ["schema", "ok"]);
      assert.equal(writer.counts.commits - commitsBefore, 2, "the holder's, then the valid write alone");
      assert.deepEqual((await events()).at(-1), [5, "created"]);
      const row = await db("tenants").where({ id: tenant }).first("user_count", "last_change_seq");
      assert.deepEqual([Number(row.user_count), Number(row.last_change_seq)], [2, 5]);
    } finally {
      await database.dispose();
    }
  });
