import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import type { ChangeEventRow, StoredChangeKind } from "./change-event-row.js";
import type { UnnumberedActivityRow } from "../activity/activity-row.js";
import { claimAtCommit } from "../tenants/tenant-row-claim.js";

/** A value added to or removed from a user's entitlements or roles. */
export interface AssignmentValue {
  attribute: "entitlements" | "roles";
  /** The value's type as the user holds it; "" when it carries none. */
  type: string;
  value: string;
}

export interface Change {
  resourceType: "User" | "Group" | "Entitlement" | "Role" | "EntitlementType" | "SchemaExtension";
  resourceId: string;
  kind: StoredChangeKind;
  /** The resource's version after the change (for a delete, the last version it had; for an extension schema, the tenant's schema revision). */
  version: bigint;
  /**
   * Top-level attributes whose values changed; an extension's by their full path (changedAttributes).
   * For an extension schema: its top-level attributes the change touched, by their names in it.
   */
  changedAttributes: readonly string[];
  /** For membership changes: the members added or removed. */
  memberIds?: readonly string[];
  /** For user events other than deletes: whether the user is active after the change. */
  active?: boolean;
  /** For catalog changes: the catalog type's name. */
  catalogType?: string;
  /** For user changes: the entitlements and roles values added and removed. */
  assignmentsAdded?: readonly AssignmentValue[];
  assignmentsRemoved?: readonly AssignmentValue[];
}

/** The details column: what only some events carry, or null. */
function detailsOf(change: Change): string | null {
  const details = {
    ...(change.catalogType === undefined ? {} : { catalogType: change.catalogType }),
    ...(change.assignmentsAdded === undefined || change.assignmentsAdded.length === 0 ? {} : { added: change.assignmentsAdded }),
    ...(change.assignmentsRemoved === undefined || change.assignmentsRemoved.length === 0 ? {} : { removed: change.assignmentsRemoved }),
  };
  return Object.keys(details).length === 0 ? null : JSON.stringify(details);
}

/**
 * The most member ids one event carries. A membership change of 100,000 members in one event was
 * larger than consumers' 4 MB receive limit, and a consumer that cannot receive an event
 * reconnects to it for ever (issue 11); 1,000 UUIDs are about 40 kB.
 */
export const maxMemberIdsPerEvent = 1000;

/** A change as the events it is stored as: membership changes in slices of maxMemberIdsPerEvent ids. */
function asEvents(change: Change): Change[] {
  const ids = change.memberIds;
  if (ids === undefined || ids.length <= maxMemberIdsPerEvent) return [change];
  const events: Change[] = [];
  for (let start = 0; start < ids.length; start += maxMemberIdsPerEvent)
    events.push({ ...change, memberIds: ids.slice(start, start + maxMemberIdsPerEvent) });
  return events;
}

/**
 * Appends changes to the tenant's change log inside the writing transaction (a transactional
 * outbox: the change and its event commit or roll back together), and with them the write's
 * activity entry when the write serves a SCIM request, so an acknowledged write always has its
 * entry. Call it last in a transaction: it claims the tenant's row (claimTenantRow), and writers of
 * the tenant queue there until commit; in a group commit the claim is made once for the whole
 * group, at its end (claimAtCommit). Membership changes are split into events of at most
 * maxMemberIdsPerEvent member ids each. A user's or group's "created" and "deleted" also move the
 * tenant's user_count or group_count (countChange), which GetTenant reads instead of counting.
 *
 * A write whose values were validated by the tenant's schemas passes the revision it read them at
 * (`schemaRevision`): when the tenant's revision differs where the claim is made, the write fails
 * with SCHEMA_CHANGED and rolls back, so nothing is ever stored by a schema that is no longer the
 * tenant's.
 */
export async function recordChanges(
  trx: Knex.Transaction,
  tenantId: string,
  recorded: readonly Change[],
  activity?: UnnumberedActivityRow,
  schemaRevision?: bigint,
): Promise<void> {
  // A big membership change becomes consecutive events of the same commit and version.
  const changes = recorded.flatMap(asEvents);
  if (changes.length === 0 && activity === undefined) return;
  const occurredAt = nowIso();
  await claimAtCommit(trx, {
    tenantId,
    claim: {
      changes: changes.length,
      activity: activity === undefined ? 0 : 1,
      users: countChange(recorded, "User"),
      groups: countChange(recorded, "Group"),
    },
    schemaRevision,
    activity,
    changes: changes.map(
      (change): Omit<ChangeEventRow, "seq"> => ({
        tenant_id: tenantId,
        occurred_at: occurredAt,
        resource_type: change.resourceType,
        resource_id: change.resourceId,
        kind: change.kind,
        version: Number(change.version),
        changed_attributes: JSON.stringify(change.changedAttributes),
        member_ids: change.memberIds === undefined ? null : JSON.stringify(change.memberIds),
        active: change.active ?? null,
        details: detailsOf(change),
      }),
    ),
  });
}

/**
 * How many resources of a type the changes add to the tenant: +1 per create, -1 per delete. Every
 * create and delete of a user or group records its change here, so the tenant's counts follow its
 * rows (claimTenantRow keeps them).
 */
function countChange(changes: readonly Change[], resourceType: "User" | "Group"): number {
  let delta = 0;
  for (const change of changes) {
    if (change.resourceType !== resourceType) continue;
    if (change.kind === "created") delta += 1;
    else if (change.kind === "deleted") delta -= 1;
  }
  return delta;
}

/** The change kind of a user write, from its active flag before and after. */
export function userChangeKind(wasActive: boolean, isActive: boolean): StoredChangeKind {
  if (wasActive && !isActive) return "deactivated";
  if (!wasActive && isActive) return "reactivated";
  return "updated";
}

/**
 * The top-level attributes whose JSON differs between two SCIM representations. An extension's
 * attributes are top-level attributes of their schema, so each is named by its full path,
 * `urn:...:User:licenseTier` (RFC 7644 §3.10), the enterprise extension's as every tenant's: a
 * consumer learns which attribute changed, not only that something under the URN did.
 */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("meta");
  keys.delete("schemas");
  keys.delete("id");
  keys.delete("groups");
  return [...keys]
    .flatMap((key) => {
      if (!key.startsWith("urn:")) return differs(before[key], after[key]) ? [key] : [];
      const was = objectOf(before[key]);
      const is = objectOf(after[key]);
      const names = new Set([...Object.keys(was), ...Object.keys(is)]);
      return [...names].filter((name) => differs(was[name], is[name])).map((name) => `${key}:${name}`);
    })
    .sort();
}

function differs(before: unknown, after: unknown): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
