import { clone, create, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { GroupSchema, ResourceMetaSchema, type Group } from "@scimgw/proto";
import { groupResourceType, toComparableText, type ResourceTypeDefinition } from "@scimgw/scim";
import { groupFromProto } from "@scimgw/scim-proto";
import { externalIdKey } from "../query/external-id-key.js";
import { searchDocument } from "../search/search-document.js";

/** A row of the groups table as the drivers return it. */
export interface GroupRow {
  tenant_id: string;
  id: string;
  display_name: string;
  display_name_key: string;
  external_id: string | null;
  resource: string;
  /** The group as filters read it (search-document.ts): JSON text on SQLite, parsed jsonb on PostgreSQL. */
  search: string | object;
  version: number | string | bigint;
  created_at: string;
  last_modified: string;
}

export type GroupContent = Pick<GroupRow, "display_name" | "display_name_key" | "external_id" | "resource" | "search">;

/** The key under which a displayName is unique and looked up: folded, as userNameKey folds userName. */
export function displayNameKey(displayName: string): string {
  return toComparableText(displayName, false);
}

/**
 * The stored columns of a group: everything but id, meta and the members, which are rows of their
 * own. The search document is folded by the tenant's resource type (the built-in one for a tenant
 * without extensions), as a user's is.
 */
export function groupContent(group: Group, resourceType: ResourceTypeDefinition = groupResourceType): GroupContent {
  const document = clone(GroupSchema, group);
  document.id = "";
  document.meta = undefined;
  document.members = [];
  return {
    display_name: group.displayName,
    display_name_key: displayNameKey(group.displayName),
    external_id: group.externalId === undefined ? null : externalIdKey(group.externalId),
    resource: toJsonString(GroupSchema, document),
    search: searchDocument(groupFromProto(document), resourceType),
  };
}

export function groupFromRow(row: GroupRow): Group {
  const group = fromJsonString(GroupSchema, row.resource);
  group.id = row.id;
  group.meta = create(ResourceMetaSchema, {
    created: timestampFromDate(new Date(row.created_at)),
    lastModified: timestampFromDate(new Date(row.last_modified)),
    version: BigInt(row.version),
  });
  return group;
}
