import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import knex, { type Knex } from "knex";
import { SqliteWriterClient } from "./sqlite-writer-client.js";
import { ReusedPlansPgClient, ReusedStatementsSqliteClient } from "./reused-statements.js";
import { createGroupCommitWriter, type GroupCommitWriter } from "./group-commit.js";

/**
 * Where the directory keeps its data: an embedded SQLite file (the default, one directory
 * process), or a PostgreSQL database shared by any number of directory replicas.
 */
export type DatabaseLocation =
  | {
      kind: "sqlite";
      filename: string;
      /** Connections serving reads beside the one writer (SQLITE_READ_CONNECTIONS); default sqliteReadConnectionsDefault. */
      readConnections?: number;
      /** How a commit reaches the disk (SQLITE_SYNCHRONOUS); default FULL. */
      synchronous?: SqliteSynchronous;
    }
  | {
      kind: "postgres";
      /** A libpq URL, postgres://user@host:port/database. */
      url: string;
      /** The schema to keep the tables in; created if missing. */
      schema: string;
      /** Connections per directory process (at least 2: migrations need one beside the lock holder). */
      poolMax: number;
      /** Longest a single statement may run before PostgreSQL cancels it. */
      statementTimeoutMs: number;
      /** Whether lookups by a unique key keep their plan as named prepared statements (reusePlan). Default true. */
      preparedStatements?: boolean;
    };

/**
 * How SQLite syncs a commit in WAL mode. FULL (the default) syncs the WAL at every commit: an
 * acknowledged write survives power loss and an OS crash. NORMAL syncs only at checkpoints: an
 * acknowledged write survives the process's crash, but the last commits before a power loss may be
 * gone. Group commit (group-commit.ts) shares one sync among the writes that queued meanwhile,
 * which is what makes FULL affordable.
 */
export const sqliteSynchronousModes = ["FULL", "NORMAL"] as const;
export type SqliteSynchronous = (typeof sqliteSynchronousModes)[number];

/**
 * Read connections by default: one per libuv thread-pool thread, as each sqlite3 statement runs
 * on one; more would only queue there.
 */
export const sqliteReadConnectionsDefault = Number(process.env.UV_THREADPOOL_SIZE) || 4;

/**
 * Per-connection settings SQLite forgets between connections, so they are applied to every
 * new one: WAL lets readers run beside the writer, foreign keys are off by default in SQLite, the
 * busy timeout makes a second process (the admin CLI) wait for the writer instead of failing with
 * SQLITE_BUSY, and LIKE is made case-sensitive as it is in PostgreSQL (case-insensitive attributes
 * are compared through folded key columns, so LIKE must not fold on its own).
 */
function sqlitePragmas(synchronous: SqliteSynchronous): string {
  return [
    // First, so that the pragmas after it wait for another process's write lock instead of failing.
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    `PRAGMA synchronous = ${synchronous}`,
    "PRAGMA foreign_keys = ON",
    "PRAGMA case_sensitive_like = ON",
  ].join(";\n");
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * The database holds every tenant's users and the hashes of every key: owner-only, in an
 * owner-only folder. The file is created here (0600) before SQLite opens it, and its WAL and SHM
 * files, which SQLite creates with the main file's permission bits, are set again after each
 * connection opens, in case an older install left them wider.
 */
function prepareSqliteFile(filename: string): void {
  if (filename === ":memory:" || filename === "") return;
  const folder = path.dirname(path.resolve(filename));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  closeSync(openSync(filename, "a", 0o600));
  chmodSync(filename, 0o600);
}

function restrictSqliteCompanions(filename: string): void {
  for (const companion of [`${filename}-wal`, `${filename}-shm`]) {
    try {
      chmodSync(companion, 0o600);
    } catch {
      // not there (yet): SQLite will create it with the main file's mode
    }
  }
}

/**
 * Knex prints a failed connection attempt, stack and all, before it rejects the query with the same
 * error; the caller reports that error (once, in one line at start), so only the print is dropped.
 */
const knexLog = {
  warn(message: unknown) {
    if (typeof message === "string" && message.startsWith("Acquire connection error")) return;
    console.warn(message);
  },
};

/**
 * The connections that write begin each transaction IMMEDIATE (sqlite-writer-client.ts), so that a write
 * that reads first waits for another process's write instead of failing with SQLITE_BUSY. The
 * readers' connections keep knex's deferred BEGIN: their transactions only read (a snapshot for a
 * copy), and IMMEDIATE would make them hold the write lock.
 */
function sqliteKnex(filename: string, synchronous: SqliteSynchronous, connections: number, role: "reads" | "writes"): Knex {
  return knex({
    client: role === "writes" ? SqliteWriterClient : ReusedStatementsSqliteClient,
    connection: { filename },
    useNullAsDefault: true,
    log: knexLog,
    pool: {
      min: 1,
      max: connections,
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: SqliteConnection) => void) {
        connection.exec(sqlitePragmas(synchronous), (error) => {
          restrictSqliteCompanions(filename);
          done(error, connection);
        });
      },
    },
  });
}

/** The writer of each SQLite database opened here, beside the readers its Knex hands out. */
const writers = new WeakMap<Knex, GroupCommitWriter>();

/**
 * The one writer of an SQLite database: its connection and the queue that commits writes in
 * groups. Undefined for PostgreSQL (any pooled connection writes) and for an in-memory database
 * (one connection, which is both).
 */
export function writerOf(db: Knex): GroupCommitWriter | undefined {
  return writers.get(db);
}

/**
 * SQLite in WAL mode: readers never wait for each other or for the writer, and there is one writer
 * at a time. So reads get a pool of connections (the Knex returned, which every read uses as
 * before), and writes get one connection of their own, reached through writerOf(db) by
 * writeTransaction and the migrations. A single writing connection means the process's own writes
 * never contend for the lock, and its transactions begin IMMEDIATE, so another process's writes (the
 * admin CLI's) wait for them and they for those. An in-memory database exists per connection, so it
 * keeps one connection for both.
 */
function openSqlite(location: Extract<DatabaseLocation, { kind: "sqlite" }>): Knex {
  const { filename, readConnections = sqliteReadConnectionsDefault, synchronous = "FULL" } = location;
  prepareSqliteFile(filename);
  if (filename === ":memory:" || filename === "") return sqliteKnex(filename, synchronous, 1, "writes");
  const readers = sqliteKnex(filename, synchronous, readConnections, "reads");
  const writer = sqliteKnex(filename, synchronous, 1, "writes");
  writers.set(readers, createGroupCommitWriter(writer));
  const destroyReaders = readers.destroy.bind(readers);
  // Closing the database closes both; knex's destroy is a property of the instance, so it is redefined there.
  Object.defineProperty(readers, "destroy", {
    configurable: true,
    value: async (callback?: (error?: unknown) => void) => {
      try {
        await Promise.all([destroyReaders(), writer.destroy()]);
        callback?.();
      } catch (error) {
        if (callback === undefined) throw error;
        callback(error);
      }
    },
  });
  return readers;
}

/**
 * An SQLite file opened read-only, without the service's pragmas, to inspect a copy (a backup)
 * without changing it: a read-only connection neither switches the file to WAL nor creates a
 * journal beside it. The URI's mode=ro is how SQLite opens read-only through knex, which always
 * asks for read-write; the path is percent-encoded, so any file name works.
 */
export function openSqliteReadOnly(filename: string): Knex {
  return knex({
    client: "sqlite3",
    connection: { filename: `${pathToFileURL(filename).href}?mode=ro`, flags: ["OPEN_URI"] },
    useNullAsDefault: true,
    log: knexLog,
    pool: { min: 1, max: 1 },
  });
}

function openPostgres(location: Extract<DatabaseLocation, { kind: "postgres" }>): Knex {
  return knex({
    client: location.preparedStatements === false ? "pg" : ReusedPlansPgClient,
    connection: {
      connectionString: location.url,
      statement_timeout: location.statementTimeoutMs,
      // A transaction left open by a crashed caller must not hold row locks for long.
      idle_in_transaction_session_timeout: 60_000,
      application_name: "scimgw-directory",
    },
    searchPath: [location.schema],
    log: knexLog,
    pool: { min: 0, max: location.poolMax, idleTimeoutMillis: 30_000 },
    // How long a call waits for a free connection before it fails (as UNAVAILABLE, so retryable).
    acquireConnectionTimeout: 10_000,
  });
}

export function openDatabase(location: DatabaseLocation): Knex {
  return location.kind === "sqlite" ? openSqlite(location) : openPostgres(location);
}

/** The SQL dialects the directory speaks. */
export type Dialect = "sqlite" | "postgres";

/** Which SQL dialect a connection speaks, for the few statements that differ. */
export function dialectOf(db: Knex): Dialect {
  // By driver, not by the client option, which may be a class (ReusedPlansPgClient) rather than a name.
  return db.client.driverName === "pg" ? "postgres" : "sqlite";
}

/** The location for logs: never the password of a connection URL. */
export function describeDatabase(location: DatabaseLocation): string {
  if (location.kind === "sqlite") return `sqlite:${location.filename}`;
  const url = new URL(location.url);
  if (url.password !== "") url.password = "***";
  return `${url.toString()} (schema ${location.schema})`;
}
