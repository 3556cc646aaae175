import type { Knex } from "knex";
import { dialectOf } from "./open-database.js";

interface InterruptibleConnection {
  interrupt?: () => void;
}

/**
 * Runs a write in one transaction that honours the caller's signal (the gRPC call's deadline or
 * cancellation): no transaction is started for an aborted call, and the signal is checked last,
 * right before COMMIT, so a caller already told DEADLINE_EXCEEDED never finds the write committed
 * afterwards (issue 11: a PATCH answered 504 at 10 s used to commit at 40 s). The abort rejects
 * with the signal's reason, an RpcError with the call's status.
 *
 * On SQLite an abort also interrupts the statement running (sqlite3's Database#interrupt): the
 * transaction holds the one connection until it ends, so the interrupt can only hit this write's
 * own statements, and a long statement stops holding up every tenant. The listener is removed
 * before COMMIT so an abort can never reach a statement of the next transaction. PostgreSQL needs
 * no interrupt: statement_timeout bounds a statement, and the rollback is immediate.
 */
export async function writeTransaction<T>(
  db: Knex,
  signal: AbortSignal | undefined,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const sqlite = dialectOf(db) === "sqlite";
  try {
    return await db.transaction(async (trx) => {
      let stopInterrupting = () => {};
      if (sqlite && signal !== undefined) {
        const connection = (await trx.client.acquireConnection()) as InterruptibleConnection;
        const interrupt = () => connection.interrupt?.();
        signal.addEventListener("abort", interrupt, { once: true });
        stopInterrupting = () => signal.removeEventListener("abort", interrupt);
      }
      try {
        const result = await work(trx);
        signal?.throwIfAborted();
        return result;
      } finally {
        stopInterrupting();
      }
    });
  } catch (error) {
    // An interrupted statement fails with SQLITE_INTERRUPT; the caller should see why it was stopped.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
