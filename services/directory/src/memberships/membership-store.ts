import type { Knex } from "knex";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
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
