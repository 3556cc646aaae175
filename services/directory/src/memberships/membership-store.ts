import type { Knex } from "knex";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { Dialect } from "../database/open-database.js";
import { nowIso } from "../database/timestamps.js";
import { recordChanges, type Change } from "../changes/change-log.js";
import { requireValue } from "../errors/require-value.js";

/** Statement-sized slices: SQLite allows 32,766 bound values, PostgreSQL 65,535; keep well below. */
const chunkSize = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += chunkSize) result.push(items.slice(start, start + chunkSize));
  return result;
}

export type MemberType = "User" | "Group";

interface MemberRow {
  tenant_id: string;
  group_id: string;
  member_id: string;
  member_type: MemberType;
}

export interface MemberView {
  value: string;
  type: MemberType;
  display?: string;
}

/** One of a member's groups, as User.groups reports it. */
export interface MemberGroup {
  value: string;
  display: string;
  type: "direct" | "indirect";
}

/**
 * How each dialect folds the rows of a member's groups into one JSON value, in their order. An
 * ORDER BY inside the aggregate is what makes the order certain: SQLite has it since 3.44 (the
 * pinned sqlite3 bundles 3.52), PostgreSQL since 9.0.
 */
const groupsAggregate: Record<Dialect, (element: string, order: string) => string> = {
  sqlite: (element, order) => `json_group_array(json_array(${element}) ORDER BY ${order})`,
  // json_agg of no rows is NULL, where SQLite's json_group_array gives [].
  postgres: (element, order) => `coalesce(json_agg(json_build_array(${element}) ORDER BY ${order}), '[]')`,
};

/**
 * group_members read by member, through the index that leads with the member. SQLite has no
 * statistics (nothing runs ANALYZE) and, guessing that tenant_id alone is selective, chose the
 * covering primary key (tenant, group, member) on tenant_id alone, and in the recursion put
 * group_members outside the queue of groups found: either way it read every membership of the
 * tenant, 60–115 ms per user in a tenant with a group of 100,000 members against 0.7 ms. INDEXED BY
 * makes the statement fail to prepare, rather than scan, if the index ever goes missing; the
 * recursion's CROSS JOIN keeps SQLite's loop order (PostgreSQL plans it as any inner join).
 */
const membershipsByMember: Record<Dialect, (alias: string) => string> = {
  sqlite: (alias) => `group_members AS ${alias} INDEXED BY group_members_tenant_member_index`,
  postgres: (alias) => `group_members AS ${alias}`,
};

/**
 * SQL for the groups of the member row `member` (a table or alias with tenant_id and id), direct
 * and through nested groups at any depth, as a scalar subquery: a JSON array of
 * [id, displayName, direct] ordered by folded displayName then id, identically on both stores.
 * A statement that selects users selects their groups with it, so GetUser and a `userName eq`
 * lookup are one statement, not one for the user and one for its groups. The recursion collects
 * groups with UNION, which drops one already found, so a cycle of groups ends once its groups are
 * all found; `direct` is then one primary-key lookup per group.
 */
export function memberGroupsSql(dialect: Dialect, member: string): string {
  return `(WITH RECURSIVE ancestry(group_id) AS (
      SELECT m.group_id FROM ${membershipsByMember[dialect]("m")} WHERE m.tenant_id = ${member}.tenant_id AND m.member_id = ${member}.id
      UNION
      SELECT parent.group_id FROM ancestry a CROSS JOIN ${membershipsByMember[dialect]("parent")}
        WHERE parent.tenant_id = ${member}.tenant_id AND parent.member_id = a.group_id
    )
    SELECT ${groupsAggregate[dialect](
      `g.id, g.display_name, EXISTS (SELECT 1 FROM group_members d WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id AND d.member_id = ${member}.id)`,
      "g.display_name_key, g.id",
    )}
      FROM ancestry a JOIN groups g ON g.tenant_id = ${member}.tenant_id AND g.id = a.group_id)`;
}

/**
 * The groups memberGroupsSql selected: SQLite returns the JSON as text, PostgreSQL's driver parses
 * json itself; `direct` is 0/1 on SQLite and a boolean on PostgreSQL.
 */
export function memberGroupsFromSql(value: string | Array<[string, string, number | boolean]>): MemberGroup[] {
  const rows: Array<[string, string, number | boolean]> = typeof value === "string" ? JSON.parse(value) : value;
  return rows.map(([id, displayName, direct]) => ({ value: id, display: displayName, type: direct ? "direct" : "indirect" }));
}

/** Which of these ids are members of the group already. */
async function presentMembers(trx: Knex | Knex.Transaction, tenantId: string, groupId: string, ids: readonly string[]): Promise<string[]> {
  const rows = await trx("group_members").where({ tenant_id: tenantId, group_id: groupId }).whereIn("member_id", ids).select("member_id");
  return rows.map((row: { member_id: string }) => row.member_id);
}

/** Which of these ids are users or groups of the tenant: two indexed lookups per 500 ids. */
async function typesOf(trx: Knex | Knex.Transaction, tenantId: string, ids: readonly string[]): Promise<Map<string, MemberType>> {
  const types = new Map<string, MemberType>();
  for (const slice of chunks(ids)) {
    for (const row of await trx("users").where("tenant_id", tenantId).whereIn("id", slice).select("id")) types.set(row.id, "User");
    for (const row of await trx("groups").where("tenant_id", tenantId).whereIn("id", slice).select("id")) types.set(row.id, "Group");
  }
  return types;
}

/**
 * Membership rows of groups, changed as sets: every operation costs time in proportion to the
 * members it names, never to the group's size (DESIGN-NOTES: rewriting a whole group per change
 * is what falls over at 100,000 members).
 */
export const memberships = {
  /** Adds members, ignoring ones already there; every id must be a user or group of the tenant. Returns the ids added. */
  async add(trx: Knex.Transaction, tenantId: string, groupId: string, ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.includes(groupId)) throw invalidMembers("a group cannot be a member of itself", [groupId]);
    const types = await typesOf(trx, tenantId, unique);
    const missing = unique.filter((id) => !types.has(id));
    if (missing.length > 0) throw invalidMembers("no user or group of this tenant has these ids", missing);
    const added: string[] = [];
    for (const slice of chunks(unique)) {
      const present = new Set(await presentMembers(trx, tenantId, groupId, slice));
      const rows: MemberRow[] = slice
        .filter((id) => !present.has(id))
        .map((id) => ({
          tenant_id: tenantId,
          group_id: groupId,
          member_id: id,
          member_type: requireValue(types.get(id), `member "${id}" has a type (ids without one were refused above)`),
        }));
      if (rows.length === 0) continue;
      await trx<MemberRow>("group_members").insert(rows).onConflict(["tenant_id", "group_id", "member_id"]).ignore();
      added.push(...rows.map((row) => row.member_id));
    }
    return added;
  },

  /** Removes members; returns the ids that were members. */
  async remove(trx: Knex.Transaction, tenantId: string, groupId: string, ids: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const slice of chunks([...new Set(ids)])) {
      const present = await presentMembers(trx, tenantId, groupId, slice);
      if (present.length === 0) continue;
      await trx("group_members").where({ tenant_id: tenantId, group_id: groupId }).whereIn("member_id", present).delete();
      removed.push(...present);
    }
    return removed;
  },

  /** Removes every member; returns their ids (proportional to the group, as emptying it is). */
  async removeAll(trx: Knex.Transaction, tenantId: string, groupId: string): Promise<string[]> {
    const present = (await trx("group_members").where({ tenant_id: tenantId, group_id: groupId }).select("member_id")).map(
      (row: { member_id: string }) => row.member_id,
    );
    await trx("group_members").where({ tenant_id: tenantId, group_id: groupId }).delete();
    return present;
  },

  /**
   * Sets the members to exactly these ids, as a difference: only the rows that change are
   * written. Reading the current ids is proportional to the group, which a full list is anyway.
   */
  async replace(
    trx: Knex.Transaction,
    tenantId: string,
    groupId: string,
    ids: readonly string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    const wanted = new Set(ids);
    const current = new Set<string>(
      (await trx("group_members").where({ tenant_id: tenantId, group_id: groupId }).select("member_id")).map(
        (row: { member_id: string }) => row.member_id,
      ),
    );
    const removed = await memberships.remove(
      trx,
      tenantId,
      groupId,
      [...current].filter((id) => !wanted.has(id)),
    );
    const added = await memberships.add(
      trx,
      tenantId,
      groupId,
      [...wanted].filter((id) => !current.has(id)),
    );
    return { added, removed };
  },

  /**
   * Removes a deleted user or group from every group it belonged to, and bumps those groups'
   * versions (their members changed), in the deleting transaction.
   */
  async removeEverywhere(trx: Knex.Transaction, tenantId: string, memberId: string): Promise<void> {
    const parents = (await trx("group_members").where({ tenant_id: tenantId, member_id: memberId }).select("group_id")).map(
      (row: { group_id: string }) => row.group_id,
    );
    if (parents.length === 0) return;
    await trx("group_members").where({ tenant_id: tenantId, member_id: memberId }).delete();
    const now = nowIso();
    const changes: Change[] = [];
    for (const slice of chunks(parents)) {
      await trx("groups")
        .where("tenant_id", tenantId)
        .whereIn("id", slice)
        .update({ version: trx.raw("version + 1"), last_modified: now });
      for (const row of await trx("groups").where("tenant_id", tenantId).whereIn("id", slice).select("id", "version")) {
        changes.push({
          resourceType: "Group",
          resourceId: row.id,
          kind: "members_removed",
          version: BigInt(row.version),
          changedAttributes: ["members"],
          memberIds: [memberId],
        });
      }
    }
    await recordChanges(trx, tenantId, changes);
  },

  /** One page of a group's members by id, with a display name from the member's own row. */
  async page(db: Knex, tenantId: string, groupId: string, afterMemberId: string, limit: number): Promise<MemberView[]> {
    const rows: Array<{ member_id: string; member_type: MemberType; user_name: string | null; display_name: string | null }> = await db(
      "group_members as m",
    )
      .leftJoin("users as u", (join) => join.on("u.tenant_id", "m.tenant_id").andOn("u.id", "m.member_id"))
      .leftJoin("groups as g", (join) => join.on("g.tenant_id", "m.tenant_id").andOn("g.id", "m.member_id"))
      .where({ "m.tenant_id": tenantId, "m.group_id": groupId })
      .andWhere("m.member_id", ">", afterMemberId)
      .orderBy("m.member_id")
      .limit(limit)
      .select("m.member_id", "m.member_type", "u.user_name", "g.display_name");
    return rows.map((row) => {
      const display = row.user_name ?? row.display_name;
      return { value: row.member_id, type: row.member_type, ...(display ? { display } : {}) };
    });
  },

  /** How many direct members the group has: one count over the group's index range. */
  async count(db: Knex, tenantId: string, groupId: string): Promise<number> {
    const [result] = await db("group_members").where({ tenant_id: tenantId, group_id: groupId }).count({ n: "*" });
    return Number(result?.n ?? 0);
  },

  /** Whether the group has any member: the first index entry, never a count. */
  async any(db: Knex, tenantId: string, groupId: string): Promise<boolean> {
    return (await db("group_members").where({ tenant_id: tenantId, group_id: groupId }).first("member_id")) !== undefined;
  },
};

function invalidMembers(detail: string, ids: readonly string[]): RpcError {
  const shown = ids.slice(0, 20).join(", ") + (ids.length > 20 ? `, and ${ids.length - 20} more` : "");
  return new RpcError(Code.INVALID_ARGUMENT, `invalid members: ${detail}: ${shown}`, {
    reason: ErrorReason.INVALID_VALUE,
    metadata: { ids: ids.slice(0, 100).join(",") },
  });
}
