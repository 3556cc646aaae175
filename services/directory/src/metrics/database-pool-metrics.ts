import type { Knex } from "knex";
import { Counter, Gauge, type Registry } from "prom-client";
import { writerOf } from "../database/open-database.js";

/** The part of knex's connection pool (tarn) the gauges read. */
interface ConnectionPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/**
 * The database connection pool as it is at scrape time: connections in use and idle, and the
 * queries waiting for one. On SQLite the pool is the read connections (SQLITE_READ_CONNECTIONS),
 * and the one writer's queue and group commits have series of their own; on PostgreSQL the pool
 * is DATABASE_POOL_MAX connections per replica, for reads and writes.
 */
export function registerDatabasePoolMetrics(registry: Registry, db: Knex): void {
  // Undefined once the database is destroyed (a stopping directory): the gauges then read 0.
  const pool = () => (db.client as { pool?: ConnectionPool }).pool;
  const gauge = (name: string, help: string, read: (pool: ConnectionPool) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const current = pool();
        this.set(current === undefined ? 0 : read(current));
      },
    });
  gauge("scimgw_directory_db_pool_connections_in_use", "Database connections running a query or transaction now.", (p) => p.numUsed());
  gauge("scimgw_directory_db_pool_connections_idle", "Database connections open and free now.", (p) => p.numFree());
  gauge(
    "scimgw_directory_db_pool_acquires_waiting",
    "Queries and transactions waiting for a database connection now (their calls wait with them).",
    (p) => p.numPendingAcquires(),
  );
  gauge("scimgw_directory_db_pool_connections_opening", "Database connections being opened now.", (p) => p.numPendingCreates());
  gauge(
    "scimgw_directory_db_pool_connections_max",
    "The most database connections the pool may open (SQLITE_READ_CONNECTIONS on SQLite, DATABASE_POOL_MAX on PostgreSQL).",
    (p) => p.max,
  );
  registerSqliteWriterMetrics(registry, db);
}

/** SQLite's writer: writes waiting for it, how many writes each commit carried (group commit), and how busy it is. */
function registerSqliteWriterMetrics(registry: Registry, db: Knex): void {
  const writer = writerOf(db);
  if (writer === undefined) return;
  new Gauge({
    name: "scimgw_directory_sqlite_writes_queued",
    help: "Writes waiting for SQLite's writer now (they commit together when it is free).",
    registers: [registry],
    collect() {
      this.set(writer.counts.queued);
    },
  });
  // Totals the writer keeps, read at scrape time; writes / commits is the mean group size.
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total("scimgw_directory_sqlite_commits_total", "Transactions SQLite's writer committed.", () => writer.counts.commits);
  total(
    "scimgw_directory_sqlite_writes_committed_total",
    "Writes SQLite's writer committed, alone or in groups.",
    () => writer.counts.writesCommitted,
  );
  total(
    "scimgw_directory_sqlite_writer_busy_seconds_total",
    "Seconds SQLite's one writer spent running transactions; a rate near 1 means writes wait for it.",
    () => writer.counts.busySeconds,
  );
}
