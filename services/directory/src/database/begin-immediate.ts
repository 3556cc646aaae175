import { createRequire } from "node:module";
import type { Knex } from "knex";

/** knex's (internal) transaction: its begin() runs "BEGIN;", its savepoint() a SAVEPOINT. */
type SqliteTransactionClass = new (
  client: Knex.Client,
  container: unknown,
  config: unknown,
  outerTx: unknown,
) => { query(connection: unknown, sql: string): Promise<unknown> };

// knex exports neither class; these are the modules its "sqlite3" client name resolves to (knex is
// pinned, and begin-immediate.test.ts fails if a new version moves or changes them).
const require = createRequire(import.meta.url);
const SqliteClient = require("knex/lib/dialects/sqlite3/index.js") as typeof Knex.Client;
const SqliteTransaction = require("knex/lib/dialects/sqlite3/execution/sqlite-transaction.js") as SqliteTransactionClass;

class ImmediateTransaction extends SqliteTransaction {
  begin(connection: unknown): Promise<unknown> {
    return this.query(connection, "BEGIN IMMEDIATE;");
  }
}

/**
 * knex's SQLite client, except that its transactions begin IMMEDIATE: knex's own begins DEFERRED
 * ("BEGIN;") and has no option for anything else. A deferred transaction that reads before it writes
 * holds only a snapshot until its first write; if another process (the admin CLI, a second
 * directory) committed meanwhile, SQLite cannot let it wait and fails it at once with SQLITE_BUSY,
 * busy_timeout or not. IMMEDIATE takes the write lock at BEGIN, where busy_timeout does apply, so
 * the second writer waits its turn; in WAL mode readers never wait for it. Savepoints (nested
 * transactions) are unchanged. Pass it as knex's `client` only for connections that write.
 */
export class BeginImmediateSqliteClient extends SqliteClient {
  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    // knex awaits what this returns as it would its own transaction.
    return new ImmediateTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}
