import { AsyncResource } from "node:async_hooks";
import type { Knex } from "knex";
import { holdThrough, keepHeld, settleHeld, type HeldAtCommit } from "./at-commit.js";
import { WriteNotUndone, writeInGroup } from "./sqlite-writer-client.js";
import { runInterruptibly, transactionWithSignal } from "./transaction-with-signal.js";

type Work<T> = (trx: Knex.Transaction) => Promise<T>;

/** SQLite's one writer: writes queue here and commit in groups. */
export interface GroupCommitWriter {
  /** The writer's own connection, for the migrations. */
  readonly knex: Knex;
  /** Runs work in a transaction that honours signal as transactionWithSignal does; settles once committed. */
  write<T>(signal: AbortSignal | undefined, work: Work<T>): Promise<T>;
  /**
   * For the metrics: writes waiting now, transactions and writes committed so far, and the seconds
   * the writer has spent running transactions (busy / elapsed near 1 means writes are bound by it).
   */
  readonly counts: { readonly queued: number; readonly commits: number; readonly writesCommitted: number; readonly busySeconds: number };
}

interface QueuedWrite {
  signal: AbortSignal | undefined;
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown inside a group's transaction to roll the whole group back. */
class GroupRolledBack extends Error {}

/**
 * Whether an error may have ended the transaction it happened in, not just its statement. SQLite
 * may roll a transaction back on its own after SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or
 * SQLITE_NOMEM, and always does when a writing statement is interrupted (SQLITE_INTERRUPT); only a
 * constraint violation is known to leave it intact. So any SQLite error but that one counts, and
 * a write that failed after changing rows its savepoint was not there to undo (WriteNotUndone).
 */
export function breaksTransaction(error: unknown): boolean {
  if (error instanceof WriteNotUndone) return true;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") && code !== "SQLITE_CONSTRAINT";
}

/**
 * Group commit on SQLite's one writing connection. Most of a small write's cost is its COMMIT (with
 * synchronous=FULL, a sync of the WAL to disk), so the writer takes every write that queued while
 * the previous commit ran and commits them together: one transaction, each write in a savepoint of
 * its own, so a write that fails (a 409, a version mismatch) rolls back only itself and the others
 * still commit. Each write runs after the ones before it in the group and sees their effects, as
 * it would alone in that order, so uniqueness and version checks stay exact. Throughput grows with
 * the number of writers waiting instead of being one transaction per round trip.
 *
 * A write's savepoint costs the writer no statement (writeInGroup, SqliteWriterClient): nearly every
 * write that fails does so before it changed a row (a read that finds a conflict, or the failing
 * statement itself, which SQLite undoes whole), and needs no undoing.
 *
 * A write settles only after its group's COMMIT. When the group cannot commit as a whole (an error
 * that may have ended the transaction, a write that failed after changing rows, or a caller that
 * gave up after its write ran and must not find it committed), the group is rolled back and each of
 * its writes whose caller still waits runs again alone, in order, with the same answer it would
 * have had first. A write alone (the writer was idle) runs in a transaction of its own. Work a
 * write leaves to the group's end (at-commit.ts) is done there for the whole group: the claim of
 * each tenant's row and the change and activity log rows it numbers (claimAtCommit), so a write
 * costs the writer three statements fewer.
 */
export function createGroupCommitWriter(knex: Knex, maxGroup = 64): GroupCommitWriter {
  const queue: QueuedWrite[] = [];
  let draining = false;
  let commits = 0;
  let writesCommitted = 0;
  let busyMs = 0;

  const commitAlone = (write: QueuedWrite) =>
    transactionWithSignal(knex, write.signal, write.work).then((value) => {
      commits += 1;
      writesCommitted += 1;
      write.resolve(value);
    }, write.reject);

  async function commitTogether(group: QueuedWrite[]): Promise<void> {
    const outcomes = new Map<QueuedWrite, Outcome>();
    try {
      await knex.transaction(async (trx) => {
        // What the writes that succeed leave to the group's end (at-commit.ts), done before COMMIT.
        const heldAtCommit: HeldAtCommit = new Map();
        for (const write of group) {
          if (write.signal?.aborted) continue;
          try {
            let held: HeldAtCommit | undefined;
            const value = await trx.transaction((savepoint) => {
              held = holdThrough(savepoint, heldAtCommit);
              return runInterruptibly(savepoint, write.signal, write.work);
            }, writeInGroup);
            if (held !== undefined) keepHeld(heldAtCommit, held);
            outcomes.set(write, { ok: true, value });
          } catch (error) {
            outcomes.set(write, { ok: false, error });
            if (breaksTransaction(error) || write.signal?.aborted) throw new GroupRolledBack();
          }
        }
        await settleHeld(trx, heldAtCommit);
        // Last before COMMIT: a caller that gave up meanwhile must not find its write committed.
        if (group.some((write) => write.signal?.aborted && outcomes.get(write)?.ok === true)) throw new GroupRolledBack();
      });
    } catch (error) {
      // Nothing of the group is on disk. A COMMIT that failed (rather than a rollback asked for)
      // may leave SQLite's transaction open on the connection; end it so that the next one can begin.
      if (!(error instanceof GroupRolledBack)) await knex.raw("ROLLBACK").catch(() => {});
      for (const write of group) {
        if (write.signal?.aborted) write.reject(write.signal.reason);
        else await commitAlone(write);
      }
      return;
    }
    commits += 1;
    for (const write of group) {
      const outcome = outcomes.get(write);
      if (outcome === undefined) write.reject(write.signal?.reason);
      else if (outcome.ok) {
        writesCommitted += 1;
        write.resolve(outcome.value);
      } else write.reject(outcome.error);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, maxGroup);
        const [first] = group;
        const started = performance.now();
        try {
          if (group.length === 1 && first !== undefined) await commitAlone(first);
          else await commitTogether(group);
        } finally {
          busyMs += performance.now() - started;
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    knex,
    counts: {
      get queued() {
        return queue.length;
      },
      get commits() {
        return commits;
      },
      get writesCommitted() {
        return writesCommitted;
      },
      get busySeconds() {
        return busyMs / 1000;
      },
    },
    write<T>(signal: AbortSignal | undefined, work: Work<T>): Promise<T> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<T>((resolve, reject) => {
        // The work runs in the drain, started by whichever write came first; bound here, its
        // statements stay in their caller's context (its trace, its request id).
        queue.push({ signal, work: AsyncResource.bind(work), resolve: resolve as (value: unknown) => void, reject });
        if (!draining) void drain();
      });
    },
  };
}
