import type { Knex } from "knex";
import { RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { groupFromProto, userFromProto } from "@scimgw/scim-proto";
import { groupRows } from "../database/group-rows.js";
import { dialectOf } from "../database/open-database.js";
import { writeTransaction } from "../database/write-transaction.js";
import { groupFromRow, type GroupRow } from "../groups/group-row.js";
import { readTenantResourceTypes } from "../schemas/read-tenant-resource-types.js";
import { assignmentRowsOf, deleteUserAssignments, insertUserAssignments, type UserAssignmentRow } from "../search/user-assignments.js";
import { builtInResourceTypes, type TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { deleteUniqueValues, insertUniqueValue, uniqueValuesOf, type UniqueValue } from "../uniqueness/unique-attribute-values.js";
import { userFromRow, type UserRow } from "../users/user-row.js";

// The directory keeps two tables of rows derived from its resources, each rewritten by every write in
// the write's own transaction: user_assignments (the holders of each entitlements and roles value)
// and unique_attribute_values (the values of extension attributes unique in the tenant). Nothing
// else writes them, so they cannot drift unless something went wrong: a bug in a rule since fixed,
// a hand edit, a restore of one table. Reindexing derives each resource's rows again by the same
// functions the writes use and rewrites those that differ. It also drops what the writes leave:
// rows of an attribute that is no longer unique (harmless, never read, gone at the resource's next
// write) and rows of a resource that no longer exists.

/** Resources (or orphan owners) per transaction: each holds the write lock (SQLite) or its rows' locks (PostgreSQL) briefly. */
const defaultBatchSize = 500;

type ResourceType = "User" | "Group";
const tableOf = { User: "users", Group: "groups" } as const;

/** A value of a unique attribute that another resource holds too: reindexing cannot decide which keeps it. */
export interface ReindexConflict {
  resourceType: ResourceType;
  resourceId: string;
  detail: string;
}

export interface ReindexReport {
  users: number;
  groups: number;
  /** Users whose entitlements and roles rows were rewritten. */
  assignmentsRewritten: number;
  /** Users and groups whose unique values rows were rewritten (a value listed in conflicts stays unwritten). */
  uniqueValuesRewritten: number;
  /** Rows of users or groups that no longer exist, deleted. */
  orphanRowsDeleted: number;
  conflicts: ReindexConflict[];
}

export interface ReindexOptions {
  /** Work out the report, then roll every transaction back. */
  dryRun?: boolean;
  batchSize?: number;
}

/** A value a resource could not be given because a row held it that the reindex itself would free. */
interface Deferred {
  resourceType: ResourceType;
  resourceId: string;
  value: UniqueValue;
}

/** What one transaction did, added to the report only once it is over (a group commit may run it twice). */
interface Tally {
  assignmentsRewritten: number;
  uniqueValuesRewritten: number;
  orphanRowsDeleted: number;
  conflicts: ReindexConflict[];
  deferred: Deferred[];
}

const emptyTally = (): Tally => ({ assignmentsRewritten: 0, uniqueValuesRewritten: 0, orphanRowsDeleted: 0, conflicts: [], deferred: [] });

/** Thrown inside a transaction to roll it back after a dry run counted it. */
class RollBack extends Error {}

/** Thrown when the tenant's schema changed while a batch was derived by the one before: the batch runs again. */
class SchemaMoved extends Error {}

/** Rows as comparable text, order aside. */
const setOf = (rows: readonly object[]) => JSON.stringify(rows.map((row) => JSON.stringify(row)).sort());

function uniqueValuesOfRow(resourceType: ResourceType, row: UserRow | GroupRow, types: TenantResourceTypes): UniqueValue[] {
  return resourceType === "User"
    ? uniqueValuesOf(userFromProto(userFromRow(row as UserRow)), types.user)
    : uniqueValuesOf(groupFromProto(groupFromRow(row as GroupRow)), types.group);
}

const isUniquenessRefusal = (error: unknown): error is RpcError => error instanceof RpcError && error.reason === ErrorReason.UNIQUENESS;

/**
 * Derives a tenant's user_assignments and unique_attribute_values rows from its users and groups
 * again and rewrites every resource's rows that differ, a batch of resources per transaction, so it
 * can run while the directory serves writes. On PostgreSQL each batch locks its resources' rows
 * first and its tenant's row (share) last, the order in which writes take those locks, so no write
 * commits between the rows read and the rows written, and a schema change in between makes the batch
 * run again; SQLite's one writer covers both.
 *
 * Rows of resources that no longer exist go first, so no value is refused because such a row held
 * it. A value refused because a resource that does not hold it (a stale row, later in the walk) still
 * has its row is given after the walk, once that row is gone; a value refused because another
 * resource does hold it is a conflict, reported and left for the tenant to settle.
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
  const deferred: Deferred[] = [];
  const batchSize = options.batchSize ?? defaultBatchSize;
  const postgres = dialectOf(db) === "postgres";
  const locked = <Q extends Knex.QueryBuilder>(query: Q, lock: "update" | "share"): Q =>
    (postgres ? (lock === "update" ? query.forUpdate() : query.forShare()) : query) as Q;

  /** Runs `work` in a write transaction (rolled back on a dry run) and adds its tally to the report. */
  async function inTransaction(work: (trx: Knex.Transaction) => Promise<Tally>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let tally: Tally | undefined;
      try {
        await writeTransaction(db, undefined, async (trx) => {
          tally = await work(trx);
          if (options.dryRun) throw new RollBack();
        });
      } catch (error) {
        if (error instanceof SchemaMoved && attempt < 5) continue;
        if (!(error instanceof RollBack)) throw error;
      }
      if (tally === undefined) throw new Error("a reindex transaction ended without its tally");
      report.assignmentsRewritten += tally.assignmentsRewritten;
      report.uniqueValuesRewritten += tally.uniqueValuesRewritten;
      report.orphanRowsDeleted += tally.orphanRowsDeleted;
      report.conflicts.push(...tally.conflicts);
      deferred.push(...tally.deferred);
      return;
    }
  }

  /** The tenant's types, read without a lock: checkSchema takes it last, in the writes' order. */
  const typesOf = async (trx: Knex.Transaction) => (await readTenantResourceTypes(trx, tenantId)) ?? builtInResourceTypes;
  async function checkSchema(trx: Knex.Transaction, types: TenantResourceTypes): Promise<void> {
    const tenant = await locked(trx("tenants").where("id", tenantId).first("schema_revision"), "share");
    if (tenant !== undefined && BigInt(tenant.schema_revision) !== types.revision) throw new SchemaMoved();
  }

  /** Whether the resource whose row holds a unique value holds it by its stored attributes. */
  async function heldForReal(trx: Knex.Transaction, types: TenantResourceTypes, resourceType: ResourceType, value: UniqueValue) {
    const row = await trx("unique_attribute_values")
      .where({ tenant_id: tenantId, resource_type: resourceType, attribute: value.attribute, value_key: value.key })
      .first("resource_id");
    const holder = row && (await trx(tableOf[resourceType]).where({ tenant_id: tenantId, id: row.resource_id }).first());
    return (
      holder !== undefined &&
      uniqueValuesOfRow(resourceType, holder, types).some((held) => held.attribute === value.attribute && held.key === value.key)
    );
  }

  /**
   * Gives a resource exactly its unique values' rows, each value in a savepoint of its own, so a
   * value another row holds fails alone. In the walk such a value is deferred when that row's
   * resource does not hold it; after the walk every refusal is a conflict.
   */
  async function repairUniqueValues(
    trx: Knex.Transaction,
    tally: Tally,
    types: TenantResourceTypes,
    resourceType: ResourceType,
    resourceId: string,
    values: readonly UniqueValue[],
    held: ReadonlyArray<{ attribute: string; value_key: string }>,
    phase: "walk" | "after walk",
  ): Promise<void> {
    const expected = values.map((value) => ({ attribute: value.attribute, value_key: value.key }));
    const heldRows = held.map(({ attribute, value_key }) => ({ attribute, value_key }));
    if (setOf(expected) === setOf(heldRows)) return;
    if (phase === "walk") tally.uniqueValuesRewritten++;
    await deleteUniqueValues(trx, tenantId, resourceType, resourceId);
    for (const value of values) {
      try {
        await trx.transaction((savepoint) => insertUniqueValue(savepoint, tenantId, resourceType, resourceId, value));
      } catch (error) {
        if (!isUniquenessRefusal(error)) throw error;
        if (phase === "walk" && !(await heldForReal(trx, types, resourceType, value)))
          tally.deferred.push({ resourceType, resourceId, value });
        else tally.conflicts.push({ resourceType, resourceId, detail: error.message });
      }
    }
  }

  async function reindexBatch(trx: Knex.Transaction, resourceType: ResourceType, rows: Array<UserRow | GroupRow>): Promise<Tally> {
    const tally = emptyTally();
    const types = await typesOf(trx);
    const ids = rows.map((row) => row.id);
    const heldUnique = groupRows(
      (await trx("unique_attribute_values")
        .where({ tenant_id: tenantId, resource_type: resourceType })
        .whereIn("resource_id", ids)
        .select("attribute", "value_key", "resource_id")) as Array<{ attribute: string; value_key: string; resource_id: string }>,
      (row) => row.resource_id,
    );
    const heldAssignments = groupRows(
      resourceType === "User"
        ? ((await trx("user_assignments")
            .where("tenant_id", tenantId)
            .whereIn("user_id", ids)
            .select("tenant_id", "attribute", "value_key", "type_key", "created_at", "user_id")) as UserAssignmentRow[])
        : [],
      (row) => row.user_id,
    );
    for (const row of rows) {
      if (resourceType === "User") {
        const expected = assignmentRowsOf(tenantId, row.id, row.created_at, userFromRow(row as UserRow));
        if (setOf(expected) !== setOf(heldAssignments.get(row.id) ?? [])) {
          tally.assignmentsRewritten++;
          await deleteUserAssignments(trx, tenantId, row.id);
          await insertUserAssignments(trx, expected);
        }
      }
      const values = uniqueValuesOfRow(resourceType, row, types);
      await repairUniqueValues(trx, tally, types, resourceType, row.id, values, heldUnique.get(row.id) ?? [], "walk");
    }
    await checkSchema(trx, types);
    return tally;
  }

  // Rows whose user or group is gone, found by reads (which take no lock) a batch of owners at a
  // time, each batch deleted in a short transaction that checks again that its owners are gone.
  const orphanTables = [
    { table: "user_assignments", owner: "user_id", resourceType: "User", scope: {} },
    { table: "unique_attribute_values", owner: "resource_id", resourceType: "User", scope: { resource_type: "User" } },
    { table: "unique_attribute_values", owner: "resource_id", resourceType: "Group", scope: { resource_type: "Group" } },
  ] as const;
  for (const { table, owner, resourceType, scope } of orphanTables) {
    const owners = tableOf[resourceType];
    const orphaned = (query: Knex.QueryBuilder, on: Knex | Knex.Transaction) =>
      query.where({ [`${table}.tenant_id`]: tenantId, ...scope }).whereNotExists(
        on(owners)
          .select(on.raw("1"))
          .where(`${owners}.tenant_id`, on.ref(`${table}.tenant_id`))
          .where(`${owners}.id`, on.ref(`${table}.${owner}`)),
      );
    let after = "";
    for (;;) {
      const found = (await orphaned(db(table).distinct(owner), db).andWhere(owner, ">", after).orderBy(owner).limit(batchSize)) as Array<
        Record<string, string>
      >;
      const ids = found.map((row) => row[owner] as string);
      if (ids.length > 0)
        await inTransaction(async (trx) => ({
          ...emptyTally(),
          orphanRowsDeleted: await orphaned(trx(table), trx).whereIn(owner, ids).delete(),
        }));
      if (ids.length < batchSize) break;
      after = ids.at(-1) as string;
    }
  }

  for (const resourceType of ["User", "Group"] as const) {
    let after = "";
    for (;;) {
      let last: string | undefined;
      let read = 0;
      await inTransaction(async (trx) => {
        const rows = (await locked(
          trx(tableOf[resourceType]).where("tenant_id", tenantId).andWhere("id", ">", after).orderBy("id").limit(batchSize),
          "update",
        )) as Array<UserRow | GroupRow>;
        read = rows.length;
        last = rows.at(-1)?.id;
        return rows.length === 0 ? emptyTally() : reindexBatch(trx, resourceType, rows);
      });
      if (resourceType === "User") report.users += read;
      else report.groups += read;
      if (last === undefined || read < batchSize) break;
      after = last;
    }
  }

  if (options.dryRun) {
    // Nothing was freed (every transaction rolled back), so work out what the walk would have done:
    // the first resource to claim a deferred value gets it, and any other claimant conflicts.
    const claimed = new Set<string>();
    for (const { resourceType, resourceId, value } of deferred) {
      const key = JSON.stringify([resourceType, value.attribute, value.key]);
      if (!claimed.has(key)) claimed.add(key);
      else
        report.conflicts.push({
          resourceType,
          resourceId,
          detail: `${value.name} ${JSON.stringify(value.value)} is claimed by another ${resourceType} too`,
        });
    }
    return report;
  }
  const retried = new Set<string>();
  for (const { resourceType, resourceId } of deferred.splice(0)) {
    if (retried.has(`${resourceType}:${resourceId}`)) continue;
    retried.add(`${resourceType}:${resourceId}`);
    await inTransaction(async (trx) => {
      const tally = emptyTally();
      const row = await locked(trx(tableOf[resourceType]).where({ tenant_id: tenantId, id: resourceId }), "update").first();
      if (row === undefined) return tally; // deleted since, with its rows
      const types = await typesOf(trx);
      const held = await trx("unique_attribute_values")
        .where({ tenant_id: tenantId, resource_type: resourceType, resource_id: resourceId })
        .select("attribute", "value_key");
      await repairUniqueValues(
        trx,
        tally,
        types,
        resourceType,
        resourceId,
        uniqueValuesOfRow(resourceType, row, types),
        held,
        "after walk",
      );
      await checkSchema(trx, types);
      return tally;
    });
  }
  return report;
}
