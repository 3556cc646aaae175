import type { Knex } from "knex";
import { writerOf } from "./open-database.js";
import { transactionWithSignal } from "./transaction-with-signal.js";

/**
 * Runs a write in a transaction that honours the caller's signal (see transactionWithSignal): it
 * commits only if the caller still waits, and an abort rejects with the signal's reason. Every
 * write of the directory goes through here.
 *
 * On an SQLite file the write joins the writer's queue and may commit together with the writes
 * queued beside it, each in a savepoint of its own (group-commit.ts); PostgreSQL and an in-memory
 * SQLite database give each write its own transaction.
 */
export function writeTransaction<T>(db: Knex, signal: AbortSignal | undefined, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const writer = writerOf(db);
  return writer === undefined ? transactionWithSignal(db, signal, work) : writer.write(signal, work);
}
