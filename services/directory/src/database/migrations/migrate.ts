import type { Knex } from "knex";
import * as createTenants from "./0001-create-tenants.js";
import * as createApiKeys from "./0002-create-api-keys.js";
import * as createUsers from "./0003-create-users.js";
import * as createGroups from "./0004-create-groups.js";
import * as createGroupMembers from "./0005-create-group-members.js";
import * as createChangeEvents from "./0006-create-change-events.js";
import * as createServiceCredentials from "./0007-create-service-credentials.js";
import * as indexCursorSortKeys from "./0008-index-cursor-sort-keys.js";
import * as addChangeEventActive from "./0009-add-change-event-active.js";
import * as addTenantRateLimits from "./0010-add-tenant-rate-limits.js";
import * as addServiceCredentialAllTenants from "./0011-add-service-credential-all-tenants.js";
import * as createServiceCredentialTenants from "./0012-create-service-credential-tenants.js";
import * as normalizeExternalIds from "./0013-normalize-external-ids.js";
import * as createActivityEntries from "./0014-create-activity-entries.js";
import * as createOperators from "./0015-create-operators.js";
import * as createOperatorSessions from "./0016-create-operator-sessions.js";
import * as createOperatorSignInFailures from "./0017-create-operator-sign-in-failures.js";
import * as createSetupLinks from "./0018-create-setup-links.js";
import * as createEntitlementTypes from "./0019-create-entitlement-types.js";
import * as createEntitlements from "./0020-create-entitlements.js";
import * as addChangeEventDetails from "./0021-add-change-event-details.js";
import * as widenChangeEventResource from "./0022-widen-change-event-resource.js";
import * as addTenantSchemaRevision from "./0023-add-tenant-schema-revision.js";
import * as createSchemaExtensions from "./0024-create-schema-extensions.js";
import * as createUniqueAttributeValues from "./0025-create-unique-attribute-values.js";
import * as addGroupSearch from "./0026-add-group-search.js";
import * as widenChangeEventResourceId from "./0027-widen-change-event-resource-id.js";
import * as addTenantResourceCounts from "./0028-add-tenant-resource-counts.js";
import * as createUserAssignments from "./0029-create-user-assignments.js";
import { dialectOf, writerOf } from "../open-database.js";
import { withSqliteMigrationLock } from "./sqlite-migration-lock.js";
import { readSchemaVersion, requireSchema } from "./schema-version.js";

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** The migrations in order. Their names are stored in knex_migrations: never rename one. */
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ["0001-create-tenants", createTenants],
  ["0002-create-api-keys", createApiKeys],
  ["0003-create-users", createUsers],
  ["0004-create-groups", createGroups],
  ["0005-create-group-members", createGroupMembers],
  ["0006-create-change-events", createChangeEvents],
  ["0007-create-service-credentials", createServiceCredentials],
  ["0008-index-cursor-sort-keys", indexCursorSortKeys],
  ["0009-add-change-event-active", addChangeEventActive],
  ["0010-add-tenant-rate-limits", addTenantRateLimits],
  ["0011-add-service-credential-all-tenants", addServiceCredentialAllTenants],
  ["0012-create-service-credential-tenants", createServiceCredentialTenants],
  ["0013-normalize-external-ids", normalizeExternalIds],
  ["0014-create-activity-entries", createActivityEntries],
  ["0015-create-operators", createOperators],
  ["0016-create-operator-sessions", createOperatorSessions],
  ["0017-create-operator-sign-in-failures", createOperatorSignInFailures],
  ["0018-create-setup-links", createSetupLinks],
  ["0019-create-entitlement-types", createEntitlementTypes],
  ["0020-create-entitlements", createEntitlements],
  ["0021-add-change-event-details", addChangeEventDetails],
  ["0022-widen-change-event-resource", widenChangeEventResource],
  ["0023-add-tenant-schema-revision", addTenantSchemaRevision],
  ["0024-create-schema-extensions", createSchemaExtensions],
  ["0025-create-unique-attribute-values", createUniqueAttributeValues],
  ["0026-add-group-search", addGroupSearch],
  ["0027-widen-change-event-resource-id", widenChangeEventResourceId],
  ["0028-add-tenant-resource-counts", addTenantResourceCounts],
  ["0029-create-user-assignments", createUserAssignments],
];

/** Knex reads migrations from this in-code source, so they ship inside the built service. */
const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

/** An arbitrary constant naming the directory's migration lock among PostgreSQL advisory locks. */
const migrationLockKey = 7_406_061_112;

/**
 * Brings the schema to the latest version; safe to call at every start, by any number of replicas
 * at once. On PostgreSQL the replicas queue on an advisory lock held for the whole run (knex's own
 * lock makes a second runner fail instead of wait, and both may race to create knex's tables);
 * the first migrates, the others then find nothing to do.
 */
export async function migrateToLatest(db: Knex): Promise<void> {
  if (dialectOf(db) === "sqlite") {
    await migrateSqlite(db);
    return;
  }
  const schema = (db.client.config.searchPath as string[] | undefined)?.[0];
  if (schema !== undefined) {
    // Committed before migrating: knex migrates on other pooled connections, which must see it.
    await db.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(?)", [migrationLockKey]);
      await trx.raw("create schema if not exists ??", [schema]);
    });
  }
  await db.transaction(async (lock) => {
    await lock.raw("select pg_advisory_xact_lock(?)", [migrationLockKey]);
    requireSchema(await readSchemaVersion(db, migrationNames), { allowPending: true });
    await db.migrate.latest({ migrationSource });
  });
}

/**
 * SQLite has no advisory locks: runners on the machine queue on a lock file instead, and the
 * usual restart, with nothing pending, costs one read.
 */
async function migrateSqlite(database: Knex): Promise<void> {
  // On the writer's connection: the readers' connections never write.
  const db = writerOf(database)?.knex ?? database;
  const filename = (db.client.config.connection as { filename: string }).filename;
  await withSqliteMigrationLock(filename, async () => {
    const version = await readSchemaVersion(db, migrationNames);
    requireSchema(version, { allowPending: true });
    if (version.pending.length > 0) await db.migrate.latest({ migrationSource });
  });
}

/** Undoes every migration, newest first. For tests and for tearing an install down. */
export async function migrateAllDown(db: Knex): Promise<void> {
  await (writerOf(db)?.knex ?? db).migrate.rollback({ migrationSource }, true);
}

export const migrationNames = migrations.map(([name]) => name);

/**
 * Refuses a database whose schema is not this build's, for commands that must not migrate on
 * their own: a fresh or older one needs `migrate`, a newer one a newer build.
 */
export async function requireCurrentSchema(db: Knex): Promise<void> {
  requireSchema(await readSchemaVersion(db, migrationNames), { allowPending: false });
}
