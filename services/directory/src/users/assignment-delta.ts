import type { Knex } from "knex";
import type { User } from "@scimgw/proto";
import type { AssignmentValue } from "../changes/change-log.js";
import { entraRoleType } from "../search/user-assignments.js";

const attributes = ["entitlements", "roles"] as const;

/** The type a held value names, for comparing assignments: Entra's own role type is none. */
export function assignedType(attribute: "entitlements" | "roles", type: string | undefined): string {
  return type === undefined || (attribute === "roles" && type === entraRoleType) ? "" : type;
}

/** A user's entitlements and roles values, each once, by (attribute, type, value). */
function assignmentsOf(user: User | undefined): Map<string, AssignmentValue> {
  const held = new Map<string, AssignmentValue>();
  if (user === undefined) return held;
  for (const attribute of attributes) {
    for (const item of user[attribute]) {
      if (item.value === undefined) continue;
      const assignment = { attribute, type: item.type ?? "", value: item.value };
      held.set(JSON.stringify([attribute, assignedType(attribute, item.type), assignment.value]), assignment);
    }
  }
  return held;
}

/**
 * The entitlements and roles values a write added and removed, for the change feed: consumers
 * act on who gained or lost an entitlement without diffing users themselves (issue 16). A value
 * whose display or primary changed is neither: the assignment is the same.
 */
export function assignmentDelta(
  before: User | undefined,
  after: User | undefined,
): { added: AssignmentValue[]; removed: AssignmentValue[] } {
  const old = assignmentsOf(before);
  const now = assignmentsOf(after);
  return {
    added: [...now].filter(([key]) => !old.has(key)).map(([, value]) => value),
    removed: [...old].filter(([key]) => !now.has(key)).map(([, value]) => value),
  };
}

/**
 * Checks, inside a user write's transaction, the entitlements and roles values the write adds
 * against the tenant's catalog (entitlements/assignment-check.ts). Throws to refuse the write;
 * returns the values recorded although unknown.
 */
export type AssignmentCheck = (
  trx: Knex.Transaction,
  tenantId: string,
  before: User | undefined,
  after: User,
) => Promise<AssignmentValue[]>;

/** No catalog check: values are stored as sent (stores built without a catalog, in tests). */
export const noAssignmentCheck: AssignmentCheck = async () => [];
