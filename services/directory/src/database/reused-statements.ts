import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Knex } from "knex";

// knex exports no dialect class; these are the modules its "sqlite3" and "pg" client names resolve
// to (knex is pinned, and reused-statements.test.ts fails if a new version moves or changes them).
const require = createRequire(import.meta.url);
const SqliteClient = require("knex/lib/dialects/sqlite3/index.js") as typeof Knex.Client;
const PgClient = require("knex/lib/dialects/postgres/index.js") as typeof Knex.Client;

/** The dialect's hooks this client replaces, which knex's types leave out. */
interface DialectHooks {
  _query(connection: unknown, query: unknown): Promise<unknown>;
}
const sqliteQuery = (SqliteClient.prototype as unknown as DialectHooks)._query;
const pgQuery = (PgClient.prototype as unknown as DialectHooks)._query;

/** The parts of a node-sqlite3 Database and Statement used here. */
interface SqliteStatement {
  all(bindings: readonly unknown[], callback: (this: unknown, error: Error | null, rows?: unknown) => void): void;
  run(bindings: readonly unknown[], callback: (this: unknown, error: Error | null) => void): void;
  finalize(callback: () => void): void;
}
export interface SqliteConnection {
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/** What knex hands its dialect's `_query`: the compiled statement, and where the answer goes. */
export interface CompiledQuery {
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
export const builderReads: ReadonlySet<string> = new Set(["select", "first", "pluck"]);

/** How knex's SQLite client runs each query builder method (its `_query`): `run` answers lastID and changes. */
function callMethodOf(query: CompiledQuery & { returning?: unknown }): "all" | "run" {
  switch (query.method) {
    case "insert":
    case "update":
      return query.returning ? "all" : "run";
    case "counter":
    case "del":
      return "run";
    default:
      return "all";
  }
}

/**
 * Runs a query on a statement kept on its connection, prepared on first use. Safe because both
 * `all` and `run` step a statement to its end: SQLite ends the statement's read there, so a kept
 * statement holds no snapshot and blocks no checkpoint or COMMIT (a statement stopped on a row
 * would). A statement whose run failed is finalized, not kept.
 */
async function runKept(connection: SqliteConnection, query: CompiledQuery & { returning?: unknown }): Promise<CompiledQuery> {
  const kept = keptOn(connection);
  // A connection runs one query at a time (knex's pool lends it out whole), so nothing else uses
  // a statement while it is taken out of the map.
  const statement = kept.get(query.sql) ?? (await prepare(connection, query.sql));
  kept.delete(query.sql);
  try {
    const { rows, context } = await new Promise<{ rows: unknown; context: unknown }>((resolve, reject) =>
      statement[callMethodOf(query)](query.bindings ?? [], function (this: unknown, error: Error | null, rows?: unknown) {
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

/** Finalizes a connection's kept statements, for a connection about to close. */
async function finalizeKept(connection: SqliteConnection): Promise<void> {
  const kept = statementsOf.get(connection);
  statementsOf.delete(connection);
  await Promise.all([...(kept?.values() ?? [])].map((statement) => new Promise<void>((resolve) => statement.finalize(resolve))));
}

/**
 * knex's SQLite client, except that the query builder's reads reuse their prepared statement on
 * the same connection instead of preparing it again. knex prepares every statement it runs, and a
 * User's read (one statement with its groups' recursive walk, member-groups.ts) costs more to
 * prepare than to run: 0.37–0.49 ms of CPU prepared each time, 0.20–0.25 reused (in process, 16
 * reads at a time on a 2,000-user tenant; a `userName eq` lookup 0.40–0.52 and 0.24–0.25). Each
 * kept statement holds its compiled program, tens of KB. A connection's statements are finalized
 * before it closes.
 */
export class ReusedStatementsSqliteClient extends SqliteClient {
  /** Whether a query runs on a kept statement; otherwise knex prepares and finalizes it as usual. */
  protected keeps(query: CompiledQuery): boolean {
    return builderReads.has(query.method ?? "");
  }

  async _query(connection: SqliteConnection, query: CompiledQuery): Promise<CompiledQuery> {
    if (!this.keeps(query)) return (await sqliteQuery.call(this, connection, query)) as CompiledQuery;
    return runKept(connection, query);
  }

  override async destroyRawConnection(connection: SqliteConnection): Promise<void> {
    await finalizeKept(connection);
    await super.destroyRawConnection(connection);
  }
}

/** The knex query option that asks PostgreSQL to keep a statement's plan (see reusePlan). */
const reusePlanOption = "scimgwReusePlan";

/**
 * Marks a read whose plan is the same whatever its values: a lookup by a unique key (an id, a
 * userName, an externalId), of one fixed shape. On PostgreSQL it then runs as a named prepared
 * statement (ReusedPlansPgClient); on SQLite every read of the query builder already reuses its
 * statement, and the option is ignored.
 *
 * Only such reads, because a kept plan is generic: PostgreSQL plans it once without the values, so
 * a listing whose best plan depends on the tenant's size or a filter's value must stay planned per
 * call. And only fixed shapes, because each one is a statement kept on every connection.
 */
export function reusePlan<Q extends Knex.QueryBuilder>(query: Q): Q {
  return query.options({ [reusePlanOption]: true }) as Q;
}

/** The parts of a node-postgres Client used here. */
interface PgConnection {
  query(config: { text: string }, callback: (error: Error | null) => void): void;
  connection: { parsedStatements: Record<string, string> };
}

/**
 * PostgreSQL's 0A000 "cached plan must not change result type", when a kept plan's result columns
 * changed under it (a migration added a column). Told by the server function that raises it, which
 * does not depend on the server's language as the message does.
 */
function isStalePlan(error: unknown): boolean {
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return code === "0A000" && routine === "RevalidateCachedQuery";
}

/** PostgreSQL's 26000: the connection no longer holds the statement (DEALLOCATE ALL, DISCARD ALL by a pooler). */
function isForgottenStatement(error: unknown): boolean {
  return (error as { code?: unknown }).code === "26000";
}

/**
 * knex's PostgreSQL client, except that reads marked with reusePlan run as named prepared
 * statements, named by their SQL: each connection parses and plans one once, and later runs only
 * bind and execute it. Planning is most of what PostgreSQL spends on such a read: a User's read with
 * its groups' recursive walk planned in 0.27–0.35 ms and ran in 0.06–0.15 (EXPLAIN ANALYZE, warm),
 * and in the product PostgreSQL's CPU per `GET /Users/{id}` fell from about 0.7 to 0.27 ms.
 *
 * A migration that adds a column to a table a kept statement reads (`SELECT *`) while this process
 * runs (a rolling upgrade) makes PostgreSQL refuse the old plan, and a pooler's DISCARD ALL makes
 * the connection forget its statements; either way the statement is run again, prepared anew.
 * DATABASE_PREPARED_STATEMENTS=false turns this off, for a connection pooler in transaction mode
 * that cannot carry prepared statements between transactions.
 */
export class ReusedPlansPgClient extends PgClient {
  async _query(connection: PgConnection, query: CompiledQuery & { options?: Record<string, unknown> }): Promise<CompiledQuery> {
    const { [reusePlanOption]: reuse, ...options } = query.options ?? {};
    if (reuse !== true) return (await pgQuery.call(this, connection, query)) as CompiledQuery;
    const name = `scimgw_${createHash("sha256").update(query.sql).digest("hex").slice(0, 32)}`;
    const run = async () => (await pgQuery.call(this, connection, { ...query, options: { ...options, name } })) as CompiledQuery;
    try {
      return await run();
    } catch (error) {
      if (isStalePlan(error)) {
        const deallocated = await new Promise<Error | null>((resolve) => connection.query({ text: `DEALLOCATE ${name}` }, resolve));
        if (deallocated !== null) throw error;
      } else if (!isForgottenStatement(error)) throw error;
      delete connection.connection.parsedStatements[name];
      // Prepared anew. Inside a transaction the first failure has aborted it (25P02 here), so the
      // caller gets the first error; any other failure (a timeout, a lost connection) is the retry's own.
      return await run().catch((retryError: unknown) =>
        Promise.reject((retryError as { code?: unknown }).code === "25P02" ? error : retryError),
      );
    }
  }
}
