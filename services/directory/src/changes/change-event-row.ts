import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ChangedResourceType, ChangeKind } from "@scimgw/proto";

/**
 * What happened to a resource, as the change_events.kind column stores it. ChangeService turns it
 * into the proto's ChangeKind; the column keeps text so stored events never depend on enum numbers.
 */
export type StoredChangeKind =
  | "created"
  | "updated"
  | "deactivated"
  | "reactivated"
  | "deleted"
  | "renamed"
  | "members_added"
  | "members_removed";

/**
 * A row of change_events: written with numbers and booleans, read back as the drivers return them
 * (PostgreSQL's bigints as strings, SQLite's booleans as 0/1).
 */
export interface ChangeEventRow {
  tenant_id: string;
  seq: number | string;
  occurred_at: string;
  resource_type: string;
  resource_id: string;
  kind: string;
  version: number | string;
  changed_attributes: string;
  member_ids: string | null;
  active: boolean | number | null;
  /** JSON: { catalogType?, added?, removed? } (AssignmentValue arrays), or null. */
  details?: string | null;
}

interface StoredDetails {
  catalogType?: string;
  added?: Array<{ attribute: string; type: string; value: string }>;
  removed?: Array<{ attribute: string; type: string; value: string }>;
}

const resourceTypes: Record<string, ChangedResourceType> = {
  User: ChangedResourceType.USER,
  Group: ChangedResourceType.GROUP,
  Entitlement: ChangedResourceType.ENTITLEMENT,
  Role: ChangedResourceType.ROLE,
  EntitlementType: ChangedResourceType.ENTITLEMENT_TYPE,
  SchemaExtension: ChangedResourceType.SCHEMA_EXTENSION,
};

const kinds: Record<string, ChangeKind> = {
  created: ChangeKind.CREATED,
  updated: ChangeKind.UPDATED,
  deactivated: ChangeKind.DEACTIVATED,
  reactivated: ChangeKind.REACTIVATED,
  deleted: ChangeKind.DELETED,
  renamed: ChangeKind.RENAMED,
  members_added: ChangeKind.MEMBERS_ADDED,
  members_removed: ChangeKind.MEMBERS_REMOVED,
} satisfies Record<StoredChangeKind, ChangeKind>;

/** A stored event as WatchChanges sends it; a kind this version does not know is UNSPECIFIED. */
export function changeEventFromRow(row: ChangeEventRow) {
  const details: StoredDetails = row.details === null || row.details === undefined ? {} : (JSON.parse(row.details) as StoredDetails);
  return {
    seq: BigInt(row.seq),
    occurredAt: timestampFromDate(new Date(row.occurred_at)),
    resourceType: resourceTypes[row.resource_type] ?? ChangedResourceType.UNSPECIFIED,
    resourceId: row.resource_id,
    kind: kinds[row.kind] ?? ChangeKind.UNSPECIFIED,
    version: BigInt(row.version),
    changedAttributes: JSON.parse(row.changed_attributes) as string[],
    memberIds: row.member_ids === null ? [] : (JSON.parse(row.member_ids) as string[]),
    // SQLite returns booleans as 0/1.
    ...(row.active === null || row.active === undefined ? {} : { active: Boolean(row.active) }),
    catalogType: details.catalogType ?? "",
    assignmentsAdded: details.added ?? [],
    assignmentsRemoved: details.removed ?? [],
  };
}
