import type { Knex } from "knex";
import { RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { groupFromProto, userFromProto } from "@scimgw/scim-proto";
import { dialectOf } from "../database/open-database.js";
import { writeTransaction } from "../database/write-transaction.js";
import { groupFromRow, type GroupRow } from "../groups/group-row.js";
import { readTenantResourceTypes } from "../schemas/read-tenant-resource-types.js";
import { assignmentRowsOf, deleteUserAssignments, insertUserAssignments, type UserAssignmentRow } from "../search/user-assignments.js";
import { builtInResourceTypes } from "../tenants/tenant-resource-types.js";
import { replaceUniqueValues, uniqueValuesOf, type UniqueValue } from "../uniqueness/unique-attribute-values.js";
import { userFromRow, type UserRow } from "../users/user-row.js";

// The directory keeps two tables of rows derived from its resources, each rewritten by every write in
// the write's own transaction: user_assignments (the holders of each entitlements and roles value)
// and unique_attribute_values (the values of extension attributes unique in the tenant). Nothing
// else writes them, so they cannot drift unless something went wrong: a bug in a rule since fixed,
// a hand edit, a restore of one table. Reindexing derives each resource's rows again by the same
// functions the writes use and rewrites those that differ. It also drops what the writes leave:
// rows of an attribute that is no longer unique (harmless, never read, gone at the resource's next
// write) and rows of a resource that no longer exists.

/** Resources per transaction: each batch holds the write lock (SQLite) or its rows' locks (PostgreSQL) briefly. */
const defaultBatchSize = 500;

/** A value of a unique attribute that another resource holds too: reindexing cannot decide which keeps it. */
export interface ReindexConflict {
  resourceType: "User" | "Group";
  resourceId: string;
  detail: string;
}

export interface ReindexReport {
  users: number;
  groups: number;
  /** Users whose entitlements and roles rows were rewritten. */
  assignmentsRewritten: number;
  /** Users and groups whose unique values rows were rewritten. */
  uniqueValuesRewritten: number;
  /** Rows of users or groups that no longer exist, deleted. */
  orphanRowsDeleted: number;
  conflicts: ReindexConflict[];
}

export interface ReindexOptions {
  /** Work out the report, then roll every batch back. */
  dryRun?: boolean;
  batchSize?: number;
}

/** Thrown inside a batch's transaction to roll it back after a dry run counted it. */
class RollBack extends Error {}

/** Rows as comparable text, order aside. */
const setOf = (rows: readonly object[]) => JSON.stringify(rows.map((row) => JSON.stringify(row)).sort());

type Batch = { resourceType: "User"; rows: UserRow[] } | { resourceType: "Group"; rows: GroupRow[] };

/**
 * Derives a tenant's user_assignments and unique_attribute_values rows from its users and groups
 * again and rewrites every resource's rows that differ, a batch of resources per transaction, so it
 * can run while the directory serves writes. Each batch locks its resources' rows first (PostgreSQL;
 * SQLite's write lock covers it) and then reads the tenant's schema under a share lock of its row,
 * in the order writes take those locks, so no write commits between the rows read and the rows
 * written, and no schema change either.
 */
export async function reindexTenant(db: Knex, tenantId: string, options: ReindexOptions = {}): Promise<ReindexReport> {
  const report: ReindexReport = {
    users: 0,
    groups: 0,
    assignmentsRewritten: 0,
    uniqueValuesRewritten: 0,
    orphanRowsDeleted: 0,
    conflicts: [],
  };
  const batchSize = options.batchSize ?? defaultBatchSize;
  const postgres = dialectOf(db) === "postgres";

  async function inTransaction(work: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    try {
      await writeTransaction(db, undefined, async (trx) => {
        await work(trx);
        if (options.dryRun) throw new RollBack();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
  }

  async function reindexBatch(trx: Knex.Transaction, batch: Batch): Promise<void> {
    await trx("tenants")
      .where("id", tenantId)
      .first("id")
      .modify((query) => (postgres ? query.forShare() : query));
    const types = (await readTenantResourceTypes(trx, tenantId)) ?? builtInResourceTypes;
    const ids = batch.rows.map((row) => row.id);
    const uniqueRows = (await trx("unique_attribute_values")
      .where({ tenant_id: tenantId, resource_type: batch.resourceType })
      .whereIn("resource_id", ids)
      .select("attribute", "value_key", "resource_id")) as Array<{ attribute: string; value_key: string; resource_id: string }>;
    const heldAssignments =
      batch.resourceType === "User"
        ? ((await trx("user_assignments")
            .where("tenant_id", tenantId)
            .whereIn("user_id", ids)
            .select("tenant_id", "attribute", "value_key", "type_key", "created_at", "user_id")) as UserAssignmentRow[])
        : [];
    for (const row of batch.rows) {
      let values: UniqueValue[];
      if (batch.resourceType === "User") {
        const userRow = row as UserRow;
        const user = userFromRow(userRow);
        values = uniqueValuesOf(userFromProto(user), types.user);
        const expected = assignmentRowsOf(tenantId, userRow.id, userRow.created_at, user);
        if (setOf(expected) !== setOf(heldAssignments.filter((held) => held.user_id === userRow.id))) {
          report.assignmentsRewritten++;
          await deleteUserAssignments(trx, tenantId, userRow.id);
          await insertUserAssignments(trx, expected);
        }
      } else {
        values = uniqueValuesOf(groupFromProto(groupFromRow(row as GroupRow)), types.group);
      }
      const expected = values.map((value) => ({ attribute: value.attribute, value_key: value.key }));
      const held = uniqueRows
        .filter((unique) => unique.resource_id === row.id)
        .map(({ attribute, value_key }) => ({ attribute, value_key }));
      if (setOf(expected) === setOf(held)) continue;
      report.uniqueValuesRewritten++;
      try {
        // In a savepoint of its own: a value another resource holds fails only this resource's rows.
        await trx.transaction((savepoint) => replaceUniqueValues(savepoint, tenantId, batch.resourceType, row.id, values));
      } catch (error) {
        if (!(error instanceof RpcError && error.reason === ErrorReason.UNIQUENESS)) throw error;
        report.conflicts.push({ resourceType: batch.resourceType, resourceId: row.id, detail: error.message });
      }
    }
  }

  for (const resourceType of ["User", "Group"] as const) {
    const table = resourceType === "User" ? "users" : "groups";
    let after = "";
    for (;;) {
      let last: string | undefined;
      let read = 0;
      await inTransaction(async (trx) => {
        const rows = await trx(table)
          .where("tenant_id", tenantId)
          .andWhere("id", ">", after)
          .orderBy("id")
          .limit(batchSize)
          .modify((query) => (postgres ? query.forUpdate() : query));
        read = rows.length;
        last = rows.at(-1)?.id;
        if (rows.length > 0) await reindexBatch(trx, { resourceType, rows } as Batch);
      });
      if (resourceType === "User") report.users += read;
      else report.groups += read;
      if (last === undefined || read < batchSize) break;
      after = last;
    }
  }

  await inTransaction(async (trx) => {
    const ownerExists = (owners: string, table: string, ownerId: string) =>
      trx(owners)
        .select(trx.raw("1"))
        .where(`${owners}.tenant_id`, trx.ref(`${table}.tenant_id`))
        .where(`${owners}.id`, trx.ref(`${table}.${ownerId}`));
    report.orphanRowsDeleted += await trx("user_assignments")
      .where("tenant_id", tenantId)
      .whereNotExists(ownerExists("users", "user_assignments", "user_id"))
      .delete();
    for (const [resourceType, owners] of [
      ["User", "users"],
      ["Group", "groups"],
    ] as const) {
      report.orphanRowsDeleted += await trx("unique_attribute_values")
        .where({ tenant_id: tenantId, resource_type: resourceType })
        .whereNotExists(ownerExists(owners, "unique_attribute_values", "resource_id"))
        .delete();
    }
  });
  return report;
}
