import { createRequire } from "node:module";
import type { Knex } from "knex";

// knex exports no dialect class; this is the module its "sqlite3" client name resolves to (knex is
// pinned, and reused-statements.test.ts fails if a new version moves or changes it).
const require = createRequire(import.meta.url);
const SqliteClient = require("knex/lib/dialects/sqlite3/index.js") as typeof Knex.Client;

/** The dialect's hooks this client replaces, which knex's types leave out. */
interface DialectHooks {
  _query(connection: unknown, query: unknown): Promise<unknown>;
}
const knexQuery = (SqliteClient.prototype as unknown as DialectHooks)._query;

/** The parts of a node-sqlite3 Database and Statement used here. */
interface SqliteStatement {
  all(bindings: readonly unknown[], callback: (this: unknown, error: Error | null, rows: unknown[]) => void): void;
  finalize(callback: () => void): void;
}
interface SqliteConnection {
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
}

/** What knex hands its dialect's `_query`: the compiled statement, and where the answer goes. */
interface CompiledQuery {
  sql: string;
  bindings?: readonly unknown[];
  method?: string;
  response?: unknown;
  context?: unknown;
}

/**
 * Each connection's kept statements, by SQL. Kept by connection rather than on the client: knex runs
 * a transaction's statements through a client object of its own, made from this one's prototype.
 */
const statementsOf = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

function keptOn(connection: SqliteConnection): Map<string, SqliteStatement> {
  let kept = statementsOf.get(connection);
  if (kept === undefined) {
    kept = new Map();
    statementsOf.set(connection, kept);
  }
  return kept;
}

/** Prepares a statement; a failure (no such table, a syntax error) is the promise's, not an unhandled 'error' event. */
function prepare(connection: SqliteConnection, sql: string): Promise<SqliteStatement> {
  return new Promise((resolve, reject) => {
    const statement = connection.prepare(sql, (error) => (error ? reject(error) : resolve(statement)));
  });
}

/** Statements kept per connection, least recently used dropped first: the directory's reads are a few dozen shapes. */
export const statementsPerConnection = 64;

/** The reads of knex's query builder; raw SQL (PRAGMAs, migrations) and writes are prepared each time as before. */
const builderReads = new Set(["select", "first", "pluck"]);

/**
 * knex's SQLite client, except that the query builder's reads reuse their prepared statement on
 * the same connection instead of preparing it again. knex prepares every statement it runs, and a
 * User's read (one statement with its groups' recursive walk, member-groups.ts) costs more to
 * prepare than to run: 0.37–0.49 ms of CPU prepared each time, 0.20–0.25 reused (in process, 16
 * reads at a time on a 2,000-user tenant; a `userName eq` lookup 0.40–0.52 and 0.24–0.25). Each
 * kept statement holds its compiled program, tens of KB.
 *
 * Safe because a read runs with `all`, which steps its statement to the end: SQLite ends the
 * statement's read there, so a kept statement holds no snapshot and blocks no checkpoint (a
 * statement stopped on a row would do both). A statement whose run failed is finalized, not kept.
 * A connection's statements are finalized before it closes.
 */
export class ReusedStatementsSqliteClient extends SqliteClient {
  async _query(connection: SqliteConnection, query: CompiledQuery): Promise<CompiledQuery> {
    if (!builderReads.has(query.method ?? "")) return (await knexQuery.call(this, connection, query)) as CompiledQuery;
    const kept = keptOn(connection);
    // A connection runs one query at a time (knex's pool lends it out whole), so nothing else uses
    // a statement while it is taken out of the map.
    const statement = kept.get(query.sql) ?? (await prepare(connection, query.sql));
    kept.delete(query.sql);
    try {
      const { rows, context } = await new Promise<{ rows: unknown[]; context: unknown }>((resolve, reject) =>
        statement.all(query.bindings ?? [], function (this: unknown, error, rows) {
          if (error) reject(error);
          else resolve({ rows, context: this });
        }),
      );
      // Most recently used last, so the first key is the one to drop.
      kept.set(query.sql, statement);
      const [oldest] = kept;
      if (kept.size > statementsPerConnection && oldest !== undefined) {
        kept.delete(oldest[0]);
        oldest[1].finalize(() => {});
      }
      query.response = rows;
      query.context = context;
      return query;
    } catch (error) {
      statement.finalize(() => {});
      throw error;
    }
  }

  override async destroyRawConnection(connection: SqliteConnection): Promise<void> {
    const kept = statementsOf.get(connection);
    statementsOf.delete(connection);
    await Promise.all([...(kept?.values() ?? [])].map((statement) => new Promise<void>((resolve) => statement.finalize(resolve))));
    await super.destroyRawConnection(connection);
  }
}
