import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import type { Group } from "@scimgw/proto";
import type { AttributePath, Filter } from "@scimgw/scim";
import { dialectOf } from "../database/open-database.js";
import { nowIso } from "../database/timestamps.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { notFound, uniquenessViolation, versionMismatch } from "../errors/directory-errors.js";
import type { SortOrder } from "../users/compile-sort.js";
import { compileGroupFilter, compileGroupSort } from "./compile-group-filter.js";
import { groupContent, groupFromRow, type GroupRow } from "./group-row.js";
import { memberships } from "./membership-store.js";

/** A step of a group write inside its transaction: change the group's attributes, or its members. */
export type GroupEdit = (current: Group, trx: Knex.Transaction) => Promise<Group>;

function duplicateDisplayName(displayName: string) {
  return uniquenessViolation(`a group named "${displayName}" already exists in this tenant (displayName is compared case-insensitively)`, "displayName");
}

async function orConflict<T>(write: () => Promise<T>, displayName: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateDisplayName(displayName);
    throw error;
  }
}

/** The groups table and its membership rows; every query is scoped by tenant. */
export function createGroupStore(db: Knex) {
  const groups = (trx: Knex | Knex.Transaction = db) => trx<GroupRow>("groups");
  const postgres = dialectOf(db) === "postgres";

  /**
   * Runs an edit of one group in a transaction and bumps its version with a compare-and-swap
   * (the row is locked first on PostgreSQL, so concurrent membership changes queue and all apply).
   */
  async function update(tenantId: string, id: string, edit: GroupEdit, expectedVersion?: bigint): Promise<Group> {
    return db.transaction(async (trx) => {
      const read = groups(trx).where({ tenant_id: tenantId, id });
      if (postgres) read.forUpdate();
      const row = await read.first();
      if (row === undefined) throw notFound(`group "${id}"`);
      const version = BigInt(row.version);
      if (expectedVersion !== undefined && expectedVersion !== version) throw versionMismatch(expectedVersion, version);
      const next = await edit(groupFromRow(row), trx);
      const changes: Partial<GroupRow> = { ...groupContent(next), version: Number(version + 1n), last_modified: nowIso() };
      const updated = await orConflict(() => groups(trx).where({ tenant_id: tenantId, id, version: Number(version) }).update(changes), next.displayName);
      if (updated === 0) throw versionMismatch(version, version + 1n);
      return groupFromRow({ ...row, ...changes } as GroupRow);
    });
  }

  return {
    async create(tenantId: string, group: Group): Promise<Group> {
      const now = nowIso();
      const row: GroupRow = { tenant_id: tenantId, id: randomUUID(), ...groupContent(group), version: 1, created_at: now, last_modified: now };
      await db.transaction(async (trx) => {
        await orConflict(() => groups(trx).insert(row), group.displayName);
        await memberships.add(trx, tenantId, row.id, group.members.map((member) => member.value));
      });
      return groupFromRow(row);
    },

    async get(tenantId: string, id: string): Promise<{ group: Group; memberCount: number }> {
      const row = await groups().where({ tenant_id: tenantId, id }).first();
      if (row === undefined) throw notFound(`group "${id}"`);
      return { group: groupFromRow(row), memberCount: await memberships.count(db, tenantId, id) };
    },

    async list(tenantId: string, filter: Filter | undefined, startIndex: number, count: number, sort?: { by: AttributePath; order: SortOrder }): Promise<{ groups: Group[]; totalResults: number }> {
      const matching = () => {
        const query = groups().where("groups.tenant_id", tenantId);
        if (filter !== undefined) {
          const condition = compileGroupFilter(filter);
          query.andWhereRaw(condition.sql, condition.bindings as Knex.RawBinding[]);
        }
        return query;
      };
      const countMatching = async () => Number((await matching().count({ n: "*" }).first())?.n ?? 0);
      if (count <= 0) return { groups: [], totalResults: await countMatching() };
      const query = matching().select("groups.*", db.raw("count(*) over () as total_results"));
      for (const term of sort === undefined ? ['"groups"."created_at" ASC', '"groups"."id" ASC'] : compileGroupSort(sort.by, sort.order)) query.orderByRaw(term);
      const rows: Array<GroupRow & { total_results: number | string }> = await query.offset(startIndex - 1).limit(count);
      return { groups: rows.map(groupFromRow), totalResults: rows[0] === undefined ? await countMatching() : Number(rows[0].total_results) };
    },

    async members(tenantId: string, groupId: string, afterMemberId: string, limit: number) {
      if ((await groups().where({ tenant_id: tenantId, id: groupId }).first("id")) === undefined) throw notFound(`group "${groupId}"`);
      return memberships.page(db, tenantId, groupId, afterMemberId, limit);
    },

    /** Replaces attributes and members; the members as a difference against the stored rows. */
    async replace(tenantId: string, group: Group, expectedVersion?: bigint): Promise<Group> {
      return update(
        tenantId,
        group.id,
        async (_current, trx) => {
          await memberships.replace(trx, tenantId, group.id, group.members.map((member) => member.value));
          return group;
        },
        expectedVersion,
      );
    },

    update,

    async delete(tenantId: string, id: string, expectedVersion?: bigint): Promise<void> {
      await db.transaction(async (trx) => {
        const query = groups(trx).where({ tenant_id: tenantId, id });
        if (expectedVersion !== undefined) query.andWhere("version", Number(expectedVersion));
        const deleted = await query.delete();
        if (deleted === 0) {
          const row = await groups(trx).where({ tenant_id: tenantId, id }).first();
          if (row === undefined) throw notFound(`group "${id}"`);
          throw versionMismatch(expectedVersion ?? 0n, BigInt(row.version));
        }
        // Its own member rows go with it (foreign key); its rows as a member of others go here.
        await trx("group_members").where({ tenant_id: tenantId, group_id: id }).delete();
        await memberships.removeEverywhere(trx, tenantId, id);
      });
    },
  };
}

export type GroupStore = ReturnType<typeof createGroupStore>;
