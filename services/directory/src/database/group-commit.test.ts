// Group commit on SQLite's one writer (issue 14): writes queued while a commit runs commit
// together, each in its own savepoint; one write's failure or abort costs only that write; and
// readers never wait for the writer.
import { AsyncLocalStorage } from "node:async_hooks";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { openDatabase, type SqliteSynchronous, writerOf } from "./open-database.js";
import { holdWriter as holdWriterWith } from "../test-support/hold-writer.js";
import { atCommit, insertAll, type CommitStep } from "./at-commit.js";
import { writeTransaction } from "./write-transaction.js";

/** Rows of a test log table, held to a group's end as the change and activity logs are. */
const logStep: CommitStep<object> = { settle: (trx, rows) => insertAll(trx, "log", rows) };

interface Opened {
  db: Knex;
  /** Transactions the writer began, counted from its statements. */
  begun(): number;
  close(): Promise<void>;
}

async function openThings(synchronous?: SqliteSynchronous): Promise<Opened> {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-group-commit-"));
  const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "d.sqlite"), ...(synchronous ? { synchronous } : {}) });
  const writer = writerOf(db);
  assert.ok(writer, "an SQLite file has a writer of its own");
  let begun = 0;
  writer.knex.on("query", (query: { sql: string }) => {
    if (/^begin/i.test(query.sql.trim())) begun += 1;
  });
  await writeTransaction(db, undefined, (trx) => trx.raw("create table things (name text primary key)"));
  return {
    db,
    begun: () => begun,
    close: async () => {
      await db.destroy();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

const insert = (db: Knex, name: string, signal?: AbortSignal) =>
  writeTransaction(db, signal, async (trx) => {
    await trx("things").insert({ name });
    return name;
  });

const names = async (db: Knex) => (await db("things").orderBy("name")).map((row: { name: string }) => row.name);

/** A write (a row named "holder") that holds the writer until released, so that the next writes queue behind it. */
const holdWriter = (db: Knex) => holdWriterWith(db, (trx) => trx("things").insert({ name: "holder" }));

test("writes queued behind a commit commit together, in one transaction", async () => {
  const opened = await openThings();
  try {
    const holder = holdWriter(opened.db);
    await holder.running;
    const before = opened.begun();
    const queued = ["a", "b", "c", "d", "e"].map((name) => insert(opened.db, name));
    holder.release();
    await holder.done;
    assert.deepEqual(await Promise.all(queued), ["a", "b", "c", "d", "e"]);
    assert.equal(opened.begun() - before, 1, "the five queued writes began one transaction");
    assert.deepEqual(await names(opened.db), ["a", "b", "c", "d", "e", "holder"]);
  } finally {
    await opened.close();
  }
});

test("a write that fails in a group rolls back only itself; later writes see earlier ones", async () => {
  const opened = await openThings();
  try {
    const holder = holdWriter(opened.db);
    await holder.running;
    const failing = writeTransaction(opened.db, undefined, async (trx) => {
      await trx("things").insert({ name: "half-written" });
      throw new Error("version mismatch");
    });
    // Same key twice in one group: the second must meet the first's row, exactly as alone.
    const first = insert(opened.db, "same");
    const second = insert(opened.db, "same");
    const after = insert(opened.db, "after");
    holder.release();
    await holder.done;
    await assert.rejects(failing, /version mismatch/);
    assert.equal(await first, "same");
    await assert.rejects(second, (error: { code?: string }) => error.code === "SQLITE_CONSTRAINT");
    assert.equal(await after, "after");
    assert.deepEqual(await names(opened.db), ["after", "holder", "same"]);
  } finally {
    await opened.close();
  }
});

test("an error that may end the transaction rolls the group back, and the others commit alone", async () => {
  const opened = await openThings();
  try {
    const holder = holdWriter(opened.db);
    await holder.running;
    const before = insert(opened.db, "before");
    const broken = writeTransaction(opened.db, undefined, async (trx) => {
      await trx("things").insert({ name: "broken" });
      // What SQLite may do on its own after such an error: roll back the whole transaction.
      await trx.raw("ROLLBACK");
      throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
    });
    const after = insert(opened.db, "after");
    holder.release();
    await holder.done;
    assert.equal(await before, "before");
    // Alone, it fails again (with knex's failed ROLLBACK, since SQLite already rolled back).
    await assert.rejects(broken);
    assert.equal(await after, "after");
    assert.deepEqual(await names(opened.db), ["after", "before", "holder"]);
  } finally {
    await opened.close();
  }
});

test("a write that fails after changing rows makes its group run again alone: its rows are gone, the others' kept", async () => {
  const opened = await openThings();
  try {
    const holder = holdWriter(opened.db);
    await holder.running;
    const begunBefore = opened.begun();
    const before = insert(opened.db, "before");
    const refused = writeTransaction(opened.db, undefined, async (trx) => {
      await trx("things").insert({ name: "refused" });
      throw new Error("refused after inserting");
    });
    const after = insert(opened.db, "after");
    holder.release();
    await holder.done;
    assert.equal(await before, "before");
    await assert.rejects(refused, /refused after inserting/);
    assert.equal(await after, "after");
    assert.deepEqual(await names(opened.db), ["after", "before", "holder"]);
    // The group, rolled back, then each of its three writes alone.
    assert.equal(opened.begun() - begunBefore, 4);
  } finally {
    await opened.close();
  }
});

test("a caller that gives up after its write ran in a group finds it not committed; the others are", async () => {
  const opened = await openThings();
  try {
    const holder = holdWriter(opened.db);
    await holder.running;
    const caller = new AbortController();
    const abandoned = writeTransaction(opened.db, caller.signal, async (trx) => {
      await trx("things").insert({ name: "abandoned" });
      // The caller's deadline passes after its work, before the group's COMMIT.
      caller.abort(new Error("deadline exceeded"));
    });
    const kept = insert(opened.db, "kept");
    const alreadyGone = new AbortController();
    const neverRun = insert(opened.db, "never", alreadyGone.signal);
    alreadyGone.abort(new Error("cancelled"));
    holder.release();
    await holder.done;
    await assert.rejects(abandoned, /deadline exceeded/);
    await assert.rejects(neverRun, /cancelled/);
    assert.equal(await kept, "kept");
    assert.deepEqual(await names(opened.db), ["holder", "kept"]);
  } finally {
    await opened.close();
  }
});

test("readers read committed data while a write is open, without waiting for it", async () => {
  const opened = await openThings();
  try {
    await insert(opened.db, "committed");
    const holder = holdWriter(opened.db);
    await holder.running;
    // The writer holds an open transaction with "holder" in it: a reader sees only what is committed.
    assert.deepEqual(await names(opened.db), ["committed"]);
    holder.release();
    await holder.done;
    assert.deepEqual(await names(opened.db), ["committed", "holder"]);
  } finally {
    await opened.close();
  }
});

test("commits sync to disk (synchronous=FULL) unless the setting says NORMAL, on every connection", async () => {
  for (const [setting, expected] of [
    [undefined, 2],
    ["NORMAL", 1],
  ] as const) {
    const opened = await openThings(setting);
    try {
      const writer = writerOf(opened.db);
      assert.ok(writer);
      const [read] = await opened.db.raw("PRAGMA synchronous");
      const [written] = await writer.knex.raw("PRAGMA synchronous");
      assert.deepEqual([read.synchronous, written.synchronous], [expected, expected], `${setting ?? "default"}`);
    } finally {
      await opened.close();
    }
  }
});

test("each write's work runs in its caller's async context (its trace, its request id), not the drain's", async () => {
  const opened = await openThings();
  try {
    const request = new AsyncLocalStorage<string>();
    const holder = request.run("holder", () => holdWriter(opened.db));
    await holder.running;
    const seen = Promise.all(
      ["first", "second"].map((id) =>
        request.run(id, () =>
          writeTransaction(opened.db, undefined, async (trx) => {
            await trx("things").insert({ name: id });
            return request.getStore();
          }),
        ),
      ),
    );
    holder.release();
    await holder.done;
    assert.deepEqual(await seen, ["first", "second"]);
  } finally {
    await opened.close();
  }
});

test("log rows appended in a group are inserted together before its COMMIT, none of a write rolled back", async () => {
  const opened = await openThings();
  try {
    const writer = writerOf(opened.db);
    assert.ok(writer);
    await writeTransaction(opened.db, undefined, (trx) => trx.raw("create table log (seq integer primary key, name text)"));
    const logInserts: string[] = [];
    writer.knex.on("query", (query: { sql: string }) => {
      if (/^insert into .log./i.test(query.sql.trim())) logInserts.push(query.sql);
    });
    let seq = 0;
    // A write logs, then inserts its thing; "b" takes a name "a" holds, which fails after its log row was held.
    const logged = (name: string, thing = name) =>
      writeTransaction(opened.db, undefined, async (trx) => {
        seq += 1;
        await atCommit(trx, logStep, [{ seq, name }]);
        // Held, not yet in the table: nothing in the same transaction reads a log back.
        assert.equal((await trx("log").where({ name })).length, 0);
        await trx("things").insert({ name: thing });
        return name;
      });
    const holder = holdWriter(opened.db);
    await holder.running;
    const queued = [logged("a"), logged("b", "a"), logged("c")];
    holder.release();
    await holder.done;
    const [a, b, c] = await Promise.allSettled(queued);
    assert.deepEqual([a?.status, b?.status, c?.status], ["fulfilled", "rejected", "fulfilled"]);
    assert.deepEqual(await opened.db("log").orderBy("seq"), [
      { seq: 1, name: "a" },
      { seq: 3, name: "c" },
    ]);
    assert.equal(logInserts.length, 1, "the group's log rows went in one INSERT");
    // Alone (the writer idle), a write's rows go in at once, inside its transaction.
    await writeTransaction(opened.db, undefined, async (trx) => {
      await atCommit(trx, logStep, [{ seq: 10, name: "alone" }]);
      assert.equal((await trx("log").where({ name: "alone" })).length, 1);
    });
  } finally {
    await opened.close();
  }
});

test("a group whose held log rows cannot be inserted rolls back whole; its writes run again alone", async () => {
  const opened = await openThings();
  try {
    await writeTransaction(opened.db, undefined, (trx) => trx.raw("create table log (seq integer primary key, name text)"));
    const logged = (name: string, seq: number) =>
      writeTransaction(opened.db, undefined, async (trx) => {
        await trx("things").insert({ name });
        await atCommit(trx, logStep, [{ seq, name }]);
        return name;
      });
    const holder = holdWriter(opened.db);
    await holder.running;
    // Two writes claim the same seq: together their rows collide at the group's end; alone, the
    // first commits and the second fails on its own insert.
    const queued = [logged("x", 7), logged("y", 7), logged("z", 8)];
    holder.release();
    await holder.done;
    const [x, y, z] = await Promise.allSettled(queued);
    assert.deepEqual([x?.status, y?.status, z?.status], ["fulfilled", "rejected", "fulfilled"]);
    assert.deepEqual(await names(opened.db), ["holder", "x", "z"]);
    assert.deepEqual(await opened.db("log").orderBy("seq"), [
      { seq: 7, name: "x" },
      { seq: 8, name: "z" },
    ]);
  } finally {
    await opened.close();
  }
});
