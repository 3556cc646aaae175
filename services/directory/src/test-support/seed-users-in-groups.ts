import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { GroupSchema, UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { createGroupStore } from "../groups/group-store.js";
import { memberships } from "../memberships/membership-store.js";
import type { UserStore } from "../users/user-store.js";

/** A group to seed: its display name, then its members (indexes into the users, or names of groups). */
export type SeededGroup = [displayName: string, members: Array<number | string>];

/**
 * Creates the users, then the groups, then their memberships in one tenant, for the filter
 * suites that compare SQL with the SCIM core's evaluator over direct and nested groups. Returns
 * the users' ids in order and the groups' ids by display name.
 */
export async function seedUsersInGroups(
  db: Knex,
  store: UserStore,
  tenantId: string,
  users: ReadonlyArray<MessageInitShape<typeof UserSchema>>,
  groups: readonly SeededGroup[],
): Promise<{ userIds: string[]; groupIds: Map<string, string> }> {
  const userIds: string[] = [];
  for (const init of users) userIds.push((await store.create(tenantId, create(UserSchema, init))).id);
  const groupStore = createGroupStore(db);
  const groupIds = new Map<string, string>();
  for (const [displayName] of groups)
    groupIds.set(displayName, (await groupStore.create(tenantId, create(GroupSchema, { displayName }))).id);
  for (const [displayName, members] of groups) {
    const ids = members.map((member) => (typeof member === "number" ? userIds[member] : groupIds.get(member)) ?? "");
    await db.transaction((trx) => memberships.add(trx, tenantId, groupIds.get(displayName) ?? "", ids));
  }
  return { userIds, groupIds };
}
