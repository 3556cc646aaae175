import type { Knex } from "knex";
import type { GroupCommitWriter } from "../database/group-commit.js";
import { writeTransaction } from "../database/write-transaction.js";

/**
 * Holds SQLite's writer in a write of its own (doing `work` first) until released, so that the
 * writes made meanwhile queue behind it and then commit as one group.
 */
export function holdWriter(db: Knex, work: (trx: Knex.Transaction) => Promise<unknown> = async () => {}) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = writeTransaction(db, undefined, async (trx) => {
    await work(trx);
    started();
    await released;
  });
  return { running, release, done };
}

/**
 * Runs writes as one group commit, in the order given, and settles them: each call reaches the
 * writer's queue a few awaits after it is made, so each is waited for there before the next is made.
 */
export async function asOneGroup(db: Knex, writer: GroupCommitWriter, writes: ReadonlyArray<() => Promise<unknown>>) {
  const holder = holdWriter(db);
  await holder.running;
  const queued: Promise<unknown>[] = [];
  for (const write of writes) {
    const before = writer.counts.queued;
    const written = write();
    written.catch(() => {}); // settled below, with the others
    queued.push(written);
    while (writer.counts.queued === before) await new Promise((resolve) => setImmediate(resolve));
  }
  holder.release();
  await holder.done;
  return Promise.allSettled(queued);
}
