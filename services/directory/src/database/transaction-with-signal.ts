import type { Knex } from "knex";

interface InterruptibleConnection {
  interrupt?: () => void;
}

/**
 * Runs work on a transaction's connection so that the caller's abort interrupts the SQLite
 * statement running (sqlite3's Database#interrupt), and only while this work runs: the listener is
 * removed before the work's transaction or savepoint ends, so an abort can never reach a statement
 * of the next write. PostgreSQL needs no interrupt: statement_timeout bounds a statement, and the
 * rollback is immediate.
 */
export async function runInterruptibly<T>(
  trx: Knex.Transaction,
  signal: AbortSignal | undefined,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  if (signal === undefined || trx.client.driverName === "pg") return work(trx);
  const connection = (await trx.client.acquireConnection()) as InterruptibleConnection;
  const interrupt = () => connection.interrupt?.();
  signal.addEventListener("abort", interrupt, { once: true });
  try {
    return await work(trx);
  } finally {
    signal.removeEventListener("abort", interrupt);
  }
}

/**
 * One write in one transaction that honours the caller's signal (the gRPC call's deadline or
 * cancellation): no transaction is started for an aborted call, and the signal is checked last,
 * right before COMMIT, so a caller already told DEADLINE_EXCEEDED never finds the write committed
 * afterwards (issue 11: a PATCH answered 504 at 10 s used to commit at 40 s). The abort rejects
 * with the signal's reason, an RpcError with the call's status.
 */
export async function transactionWithSignal<T>(
  db: Knex,
  signal: AbortSignal | undefined,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  try {
    return await db.transaction(async (trx) => {
      const result = await runInterruptibly(trx, signal, work);
      signal?.throwIfAborted();
      return result;
    });
  } catch (error) {
    // An interrupted statement fails with SQLITE_INTERRUPT; the caller should see why it was stopped.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
