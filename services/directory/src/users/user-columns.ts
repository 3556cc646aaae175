import type { MemberGroupColumns } from "../memberships/member-groups.js";

/**
 * The attributes stored in columns of their own (indexed, or at least typed). `nullable` columns
 * get an explicit IS NOT NULL so a comparison is never NULL (SQL's NULL would otherwise turn
 * `not (...)` around); NOT NULL columns stay bare so the planner can use their indexes.
 */
export const userColumns: Record<string, { column: string; nullable: boolean }> = {
  id: { column: "id", nullable: false },
  userName: { column: "user_name_key", nullable: false },
  externalId: { column: "external_id", nullable: true },
  active: { column: "active", nullable: false },
  // Every user has meta (RFC 7643 §3.1: the service provider sets it), so `meta pr` is the
  // presence of meta.created; comparing or sorting the complex meta itself is refused upstream.
  meta: { column: "created_at", nullable: false },
  "meta.created": { column: "created_at", nullable: false },
  "meta.lastModified": { column: "last_modified", nullable: false },
};

/**
 * User.groups is derived from the membership rows, not stored with the user: its sub-attributes
 * are the columns of the user's groups as memberGroupsSql lists them for the representation
 * (member-groups.ts), so filters and sorts read what GetUser shows. `display` is read folded
 * (displayName is caseExact false, RFC 7643 §4.2). `$ref` is left out on purpose: it is the group's
 * URL, which only the gateway can make (from its base URL) when it renders a user.
 */
export const userGroupsColumns: Record<string, keyof MemberGroupColumns> = { value: "value", display: "displayKey", type: "type" };

/** Why a sub-attribute of User.groups without a column cannot be filtered or sorted on. */
export function groupsSubAttributeRefusal(name: string): string {
  return `"groups.${name}" is the group's URL, which the gateway makes from its base URL when it renders a user, so the directory cannot compare it; use groups.value (the group's id) instead`;
}
