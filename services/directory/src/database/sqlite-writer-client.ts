import { createRequire } from "node:module";
import type { Knex } from "knex";
import { builderReads, type CompiledQuery, ReusedStatementsSqliteClient, type SqliteConnection } from "./reused-statements.js";

/** knex's (internal) transaction: its begin() runs "BEGIN;", its savepoint() a SAVEPOINT. */
type SqliteTransactionClass = new (
  client: Knex.Client,
  container: unknown,
  config: unknown,
  outerTx: unknown,
) => { txid: string; query(connection: unknown, sql: string): Promise<unknown> };

// knex exports neither class; these are the modules its "sqlite3" client name resolves to (knex is
// pinned, and sqlite-writer-client.test.ts fails if a new version moves or changes them).
const require = createRequire(import.meta.url);
const SqliteTransaction = require("knex/lib/dialects/sqlite3/execution/sqlite-transaction.js") as SqliteTransactionClass;

const keptMethods = new Set(["select", "first", "pluck", "insert", "update", "del", "counter"]);

/**
 * Statements with more values than this are prepared each time: a group's or a batch's log rows in
 * one INSERT, whose shape (its number of rows) seldom repeats and whose program grows with it. Kept,
 * 64 such INSERTs of 100–200 rows held 12–16 MiB; a write of one resource has a few dozen values.
 */
export const maxKeptBindings = 200;

/** What a write savepoint (writeInGroup) is named in the SQL ImmediateTransaction runs for it. */
const writeSavepointName = "write";

/** The statements ImmediateTransaction runs, as knex writes them, by what they do. */
const transactionControl =
  /^(?:(BEGIN IMMEDIATE;|COMMIT;|ROLLBACK)|(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) (?:sp(\d+)|(write));?)$/;

type SavepointStatement = "SAVEPOINT" | "RELEASE SAVEPOINT" | "ROLLBACK TO SAVEPOINT";
type TransactionControl =
  | { ends: true }
  | { ends: false; savepoint: SavepointStatement; depth: number }
  | { ends: false; savepoint: SavepointStatement; write: true };

function transactionControlOf(sql: string): TransactionControl | undefined {
  const match = transactionControl.exec(sql);
  if (match === null) return undefined;
  const [, whole, savepoint, depth, write] = match;
  if (whole !== undefined) return { ends: true };
  if (write !== undefined) return { ends: false, savepoint: savepoint as SavepointStatement, write: true };
  return { ends: false, savepoint: savepoint as SavepointStatement, depth: Number(depth) };
}

/** What the writer client remembers of its connection's transaction (SqliteWriterClient._query). */
interface WriterState {
  /** Statements run that may have changed rows, ever: a write savepoint compares it before and after. */
  changes: number;
  /** `changes` when the open write savepoint began, if one is open. */
  writeBeganAt: number | undefined;
  /** The lowest depth whose RELEASE SAVEPOINT is put off, if any. */
  releasePutOff: number | undefined;
}
const stateOf = new WeakMap<SqliteConnection, WriterState>();

function writerStateOf(connection: SqliteConnection): WriterState {
  let state = stateOf.get(connection);
  if (state === undefined) {
    state = { changes: 0, writeBeganAt: undefined, releasePutOff: undefined };
    stateOf.set(connection, state);
  }
  return state;
}

const builderWrites = new Set(["insert", "update", "del", "counter"]);

/**
 * Whether a statement that ran may have changed rows. Reads cannot; a write of the query builder
 * that says it changed none (node-sqlite3's `changes` after `run`, no rows RETURNING) did not: it
 * touched no row, so no trigger ran either. Anything else may have (raw SQL: its `changes` would be
 * an earlier statement's).
 */
function mayHaveChanged(query: CompiledQuery & { returning?: unknown }): boolean {
  const method = query.method ?? "";
  if (builderReads.has(method)) return false;
  if (!builderWrites.has(method)) return true;
  if ((query.context as { changes?: unknown } | undefined)?.changes === 0) return false;
  return !(query.returning && Array.isArray(query.response) && query.response.length === 0);
}

/**
 * A write in a group commit failed after it had changed rows, which only its savepoint could have
 * undone, and the writer did not run that savepoint (writeInGroup): the group's transaction cannot
 * commit as it is, and the group commit rolls it back and runs its writes again alone.
 */
export class WriteNotUndone extends Error {
  constructor() {
    super("a write in a group commit failed after changing rows; the group must roll back and run its writes alone");
    this.name = "WriteNotUndone";
  }
}

/**
 * The config of a write's savepoint in a group commit (group-commit.ts): `trx.transaction(work,
 * writeInGroup)`. The writer runs no SAVEPOINT for it, and its RELEASE and ROLLBACK TO cost nothing,
 * as long as the write changes nothing before it fails (SqliteWriterClient._query).
 */
export const writeInGroup: Readonly<Knex.TransactionConfig> = Object.freeze({
  userParams: Object.freeze({ writeInGroup: true }),
  doNotRejectOnRollback: true,
});

class ImmediateTransaction extends SqliteTransaction {
  /** 0 for a transaction, 1 for a savepoint in it, 2 for one in that, and so on. */
  readonly depth: number;

  constructor(client: Knex.Client, container: unknown, config: unknown, outerTx: unknown) {
    super(client, container, config, outerTx);
    this.depth = outerTx instanceof ImmediateTransaction ? outerTx.depth + 1 : 0;
    const ofWrite = (config as Knex.TransactionConfig | undefined)?.userParams?.writeInGroup === true;
    if (ofWrite && this.depth !== 1) throw new Error("a write's savepoint in a group commit is one level inside the group's transaction");
    // knex names a savepoint after its transaction's txid, a new one each time ("trx1234"); named by
    // depth, SAVEPOINT and RELEASE are the same few statements every time, which the writer keeps
    // prepared. SQLite releases or rolls back to the innermost savepoint of a name, which is this one.
    this.txid = ofWrite ? writeSavepointName : `sp${this.depth}`;
  }

  begin(connection: unknown): Promise<unknown> {
    return this.query(connection, "BEGIN IMMEDIATE;");
  }
}

/**
 * knex's SQLite client for the connection that writes. Pass it as knex's `client` only for that.
 *
 * Its transactions begin IMMEDIATE: knex's own begins DEFERRED ("BEGIN;") and has no option for
 * anything else. A deferred transaction that reads before it writes holds only a snapshot until
 * its first write; if another process (the admin CLI, a second directory) committed meanwhile,
 * SQLite cannot let it wait and fails it at once with SQLITE_BUSY, busy_timeout or not. IMMEDIATE
 * takes the write lock at BEGIN, where busy_timeout does apply, so the second writer waits its
 * turn; in WAL mode readers never wait for it.
 *
 * It keeps every statement it runs prepared, as the readers keep their reads
 * (ReusedStatementsSqliteClient): writes, their reads, and BEGIN, COMMIT and the savepoints. knex
 * prepares, runs and finalizes each statement, and in node-sqlite3 each of those is a trip through
 * the thread pool and back to the event loop; on the one writer, which every tenant's writes queue
 * for, those trips were most of a write's time (a group commit of four user creates took 10–13 ms
 * with the writer busy all the time). Kept, a statement is one trip: in an alternating A/B of
 * `pnpm bench` (`ONLY=post,put,patch`, two runs each) POST went from 248 and 280 requests/s to 291
 * and 356, PUT from 218 and 263 to 344 and 346, PATCH from 300 and 316 to 370 and 396.
 */
export class SqliteWriterClient extends ReusedStatementsSqliteClient {
  /**
   * Every statement of the query builder but the largest (maxKeptBindings), and the transactions'
   * own, is kept; other raw SQL (PRAGMAs, migrations) is not.
   */
  protected override keeps(query: CompiledQuery): boolean {
    if (query.method === undefined) return transactionControl.test(query.sql);
    return keptMethods.has(query.method) && (query.bindings?.length ?? 0) <= maxKeptBindings;
  }

  /**
   * A savepoint's RELEASE is put off to the next SAVEPOINT or ROLLBACK TO on the connection and
   * runs with it, in one call (node-sqlite3's exec), or is dropped when the transaction ends first
   * (COMMIT releases every savepoint, ROLLBACK discards them; a BEGIN forgets one that a ROLLBACK
   * run outside knex's transactions left). In a group commit each write's
   * savepoint is released and the next write's begun one after the other, so that is one trip of the
   * writer per write fewer, and the last write's RELEASE is not run at all. Nothing changes for the
   * statements run meanwhile: a savepoint only decides what a ROLLBACK TO undoes, and none can
   * reach a released savepoint's statements before the put-off RELEASE runs. A RELEASE of a lower
   * depth releases the savepoints above it too, so only the lowest put off is kept.
   *
   * A write's savepoint in a group commit (writeInGroup) is not run at all, and costs the writer
   * nothing: its RELEASE has nothing to release, and its ROLLBACK TO nothing to undo as long as no
   * statement that may have changed rows (mayHaveChanged) succeeded since it began, which is how
   * nearly every failed write fails. One that did change rows first fails its ROLLBACK TO with
   * WriteNotUndone, and the group commit rolls the group back and runs its writes again alone.
   */
  override async _query(connection: SqliteConnection, query: CompiledQuery): Promise<CompiledQuery> {
    const state = writerStateOf(connection);
    const control = query.method === undefined ? transactionControlOf(query.sql) : undefined;
    if (control === undefined) {
      const answered = await super._query(connection, query);
      // A statement that failed changed nothing: SQLite undoes all of a statement that fails
      // (a constraint's default ABORT), and any other failure ends the group (breaksTransaction).
      if (mayHaveChanged(answered)) state.changes += 1;
      return answered;
    }
    if (!control.ends && "write" in control) {
      const beganAt = state.writeBeganAt;
      state.writeBeganAt = control.savepoint === "SAVEPOINT" ? state.changes : undefined;
      if (control.savepoint === "ROLLBACK TO SAVEPOINT" && beganAt !== state.changes) throw new WriteNotUndone();
      query.response = [];
      return query;
    }
    const putOff = state.releasePutOff;
    state.releasePutOff = undefined;
    if (control.ends) state.writeBeganAt = undefined;
    else if (control.savepoint === "RELEASE SAVEPOINT") {
      state.releasePutOff = Math.min(putOff ?? control.depth, control.depth);
      query.response = [];
      return query;
    } else if (putOff !== undefined) {
      const sql = `RELEASE SAVEPOINT sp${putOff}; ${query.sql}`;
      await new Promise<void>((resolve, reject) => connection.exec(sql, (error) => (error ? reject(error) : resolve())));
      query.response = [];
      return query;
    }
    return super._query(connection, query);
  }

  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    // knex awaits what this returns as it would its own transaction.
    return new ImmediateTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}
