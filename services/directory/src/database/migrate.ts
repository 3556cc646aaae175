import type { Knex } from "knex";
import * as createTenants from "./migrations/0001-create-tenants.js";
import * as createApiKeys from "./migrations/0002-create-api-keys.js";
import * as createUsers from "./migrations/0003-create-users.js";

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** The migrations in order. Their names are stored in knex_migrations: never rename one. */
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ["0001-create-tenants", createTenants],
  ["0002-create-api-keys", createApiKeys],
  ["0003-create-users", createUsers],
];

/** Knex reads migrations from this in-code source, so they ship inside the built service. */
const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

/** Brings the schema to the latest version; safe to call at every start (knex takes a lock). */
export async function migrateToLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** Undoes every migration, newest first. For tests and for tearing an install down. */
export async function migrateAllDown(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}

export const migrationNames = migrations.map(([name]) => name);
