import type { Knex } from "knex";
import { Gauge, type Registry } from "prom-client";

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
 * queries waiting for one. On SQLite the pool is one connection for every tenant, so waiting
 * acquires are the directory's queue; on PostgreSQL, DATABASE_POOL_MAX per replica.
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
    "The most database connections the pool may open (1 on SQLite, DATABASE_POOL_MAX on PostgreSQL).",
    (p) => p.max,
  );
}
