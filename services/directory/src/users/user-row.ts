import { clone, create, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResourceMetaSchema, UserSchema, type User } from "@scimgw/proto";
import { userFromProto } from "@scimgw/scim-proto";
import { userResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { externalIdKey } from "../query/external-id-key.js";
import { searchDocument } from "../search/search-document.js";
import { userNameKey } from "./user-name-key.js";

/** A row of the users table as the drivers return it (SQLite gives numbers, PostgreSQL strings). */
export interface UserRow {
  tenant_id: string;
  id: string;
  user_name: string;
  user_name_key: string;
  external_id: string | null;
  active: boolean | number;
  resource: string;
  search: string | object;
  password_hash: string | null;
  version: number | string | bigint;
  created_at: string;
  last_modified: string;
}

/** The columns derived from a user: the indexed ones and the stored document. */
export type UserContent = Pick<UserRow, "user_name" | "user_name_key" | "external_id" | "active" | "resource" | "search">;

/**
 * What is stored of a user: everything but the fields the directory owns or never keeps in
 * clear (id, meta, the read-only groups, the password). The search document is folded by the
 * tenant's resource type (the built-in one for a tenant without extensions).
 */
export function userContent(user: User, resourceType: ResourceTypeDefinition = userResourceType): UserContent {
  const document = clone(UserSchema, user);
  document.id = "";
  document.meta = undefined;
  document.groups = [];
  document.password = undefined;
  return {
    user_name: user.userName,
    user_name_key: userNameKey(user.userName),
    external_id: user.externalId === undefined ? null : externalIdKey(user.externalId),
    // active defaults to true: an IdP that never sends it is provisioning a working account.
    active: user.active ?? true,
    resource: toJsonString(UserSchema, document),
    search: searchDocument(userFromProto(document), resourceType),
  };
}

export function userFromRow(row: UserRow): User {
  const user = fromJsonString(UserSchema, row.resource);
  user.id = row.id;
  user.active = Boolean(row.active);
  user.meta = create(ResourceMetaSchema, {
    created: timestampFromDate(new Date(row.created_at)),
    lastModified: timestampFromDate(new Date(row.last_modified)),
    version: BigInt(row.version),
  });
  return user;
}
