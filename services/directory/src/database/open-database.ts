import knex, { type Knex } from "knex";

/** Where the directory keeps its data. PostgreSQL is added as a second kind by the scale-out work. */
export type DatabaseLocation = { kind: "sqlite"; filename: string };

/**
 * Per-connection settings SQLite forgets between connections, so they are applied to every
 * new one: WAL lets readers run beside the writer, NORMAL sync is durable across process crashes
 * in WAL mode, foreign keys are off by default in SQLite, and the busy timeout makes a second
 * process (the admin CLI) wait for the writer instead of failing with SQLITE_BUSY.
 */
const sqlitePragmas = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA synchronous = NORMAL",
  "PRAGMA foreign_keys = ON",
  "PRAGMA busy_timeout = 5000",
];

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

export function openDatabase(location: DatabaseLocation): Knex {
  return knex({
    client: "sqlite3",
    connection: { filename: location.filename },
    useNullAsDefault: true,
    pool: {
      // One connection: SQLite has one writer at a time anyway, and a single connection means a
      // transaction never starts as a reader and then fails to upgrade (SQLITE_BUSY).
      min: 1,
      max: 1,
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: SqliteConnection) => void) {
        connection.exec(sqlitePragmas.join(";\n"), (error) => done(error, connection));
      },
    },
  });
}
