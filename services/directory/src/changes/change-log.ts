import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import type { ChangeEventRow, StoredChangeKind } from "./change-event-row.js";

export interface Change {
  resourceType: "User" | "Group";
  resourceId: string;
  kind: StoredChangeKind;
  /** The resource's version after the change (for a delete, the last version it had). */
  version: bigint;
  /** Top-level attributes whose values changed. */
  changedAttributes: readonly string[];
  /** For membership changes: the members added or removed. */
  memberIds?: readonly string[];
  /** For user events other than deletes: whether the user is active after the change. */
  active?: boolean;
}

/**
 * Appends changes to the tenant's change log inside the writing transaction (a transactional
 * outbox: the change and its event commit or roll back together). Call it last in a transaction:
 * it takes the tenant's sequence row, and writers of the tenant queue there until commit.
 */
export async function recordChanges(trx: Knex.Transaction, tenantId: string, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  await trx("tenants").where("id", tenantId).increment("last_change_seq", changes.length);
  const row = await trx("tenants").where("id", tenantId).first("last_change_seq");
  const last = Number(row?.last_change_seq);
  const occurredAt = nowIso();
  const rows: ChangeEventRow[] = changes.map((change, index) => ({
    tenant_id: tenantId,
    seq: last - changes.length + 1 + index,
    occurred_at: occurredAt,
    resource_type: change.resourceType,
    resource_id: change.resourceId,
    kind: change.kind,
    version: Number(change.version),
    changed_attributes: JSON.stringify(change.changedAttributes),
    member_ids: change.memberIds === undefined ? null : JSON.stringify(change.memberIds),
    active: change.active ?? null,
  }));
  for (let start = 0; start < rows.length; start += 200) await trx("change_events").insert(rows.slice(start, start + 200));
}

/** The change kind of a user write, from its active flag before and after. */
export function userChangeKind(wasActive: boolean, isActive: boolean): StoredChangeKind {
  if (wasActive && !isActive) return "deactivated";
  if (!wasActive && isActive) return "reactivated";
  return "updated";
}

/** The top-level keys whose JSON differs between two SCIM representations. */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("meta");
  keys.delete("schemas");
  keys.delete("id");
  keys.delete("groups");
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}
