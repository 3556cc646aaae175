import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  AddressSchema,
  EnterpriseUserSchema,
  GroupMembershipSchema,
  ManagerSchema,
  MultiValuedAttributeSchema,
  NameSchema,
  UserSchema,
  type Address,
  type GroupMembership,
  type MultiValuedAttribute,
  type User,
} from "@scimgw/proto";
import { isJsonObject, urn, versionToEtag, type ScimResource } from "@scimgw/scim";

/*
 * The field tables below pair each SCIM attribute with its protobuf field. They are the whole
 * mapping: an attribute missing here would be lost in transit, which the round-trip test catches.
 */

const userStrings = [
  ["displayName", "displayName"],
  ["nickName", "nickName"],
  ["profileUrl", "profileUrl"],
  ["title", "title"],
  ["userType", "userType"],
  ["preferredLanguage", "preferredLanguage"],
  ["locale", "locale"],
  ["timezone", "timezone"],
  ["password", "password"],
  ["externalId", "externalId"],
] as const satisfies ReadonlyArray<readonly [string, keyof User]>;

const nameStrings = ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"] as const;

const multiValued = [
  ["emails", "emails"],
  ["phoneNumbers", "phoneNumbers"],
  ["ims", "ims"],
  ["photos", "photos"],
  ["entitlements", "entitlements"],
  ["roles", "roles"],
  ["x509Certificates", "x509Certificates"],
] as const satisfies ReadonlyArray<readonly [string, keyof User]>;

const addressStrings = ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"] as const;

const enterpriseStrings = ["employeeNumber", "costCenter", "organization", "division", "department"] as const;

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const bool = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isJsonObject) : []);

function multiValuedToProto(value: Json): MultiValuedAttribute {
  return create(MultiValuedAttributeSchema, {
    value: str(value.value),
    display: str(value.display),
    type: str(value.type),
    primary: bool(value.primary),
    ref: str(value.$ref),
  });
}

function addressToProto(value: Json): Address {
  const address = create(AddressSchema, { primary: bool(value.primary) });
  for (const key of addressStrings) address[key] = str(value[key]);
  return address;
}

/** The extension schemas with no typed field: every URN key of the resource but the known two. */
function otherExtensions(resource: ScimResource): Record<string, JsonObject> {
  const extensions: Record<string, JsonObject> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key.startsWith("urn:") && key !== urn.enterpriseUser && key !== urn.user && isJsonObject(value)) {
      extensions[key] = value as JsonObject;
    }
  }
  return extensions;
}

/**
 * A SCIM User (canonical attribute names, as `normalizeResource` produces) as a protobuf User.
 * `meta` and read-only `groups` are not carried: the directory owns them.
 */
export function userToProto(resource: ScimResource): User {
  const user = create(UserSchema, {
    id: str(resource.id) ?? "",
    userName: str(resource.userName) ?? "",
    active: bool(resource.active),
    extensions: otherExtensions(resource),
  });
  for (const [attribute, field] of userStrings) user[field] = str(resource[attribute]);
  if (isJsonObject(resource.name)) {
    const name = create(NameSchema);
    for (const key of nameStrings) name[key] = str(resource.name[key]);
    user.name = name;
  }
  for (const [attribute, field] of multiValued) user[field] = objects(resource[attribute]).map(multiValuedToProto);
  user.addresses = objects(resource.addresses).map(addressToProto);
  // Read-only: carried so the contract round-trips; the directory computes its own on writes.
  user.groups = objects(resource.groups).map((group) =>
    create(GroupMembershipSchema, {
      value: str(group.value) ?? "",
      ref: str(group.$ref),
      display: str(group.display),
      type: str(group.type),
    }),
  );
  const enterprise = resource[urn.enterpriseUser];
  if (isJsonObject(enterprise)) {
    const extension = create(EnterpriseUserSchema);
    for (const key of enterpriseStrings) extension[key] = str(enterprise[key]);
    if (isJsonObject(enterprise.manager)) {
      extension.manager = create(ManagerSchema, {
        value: str(enterprise.manager.value),
        ref: str(enterprise.manager.$ref),
        displayName: str(enterprise.manager.displayName),
      });
    }
    user.enterprise = extension;
  }
  return user;
}

/** Copies the set fields of a message into a SCIM object, renaming `ref` to `$ref`. */
function compact(entries: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) out[key === "ref" ? "$ref" : key] = value;
  }
  return out;
}

function multiValuedFromProto(value: MultiValuedAttribute): Json {
  return compact({ value: value.value, display: value.display, type: value.type, primary: value.primary, ref: value.ref });
}

export interface UserFromProtoOptions {
  /** The resource's absolute URI, for `meta.location`; only the gateway knows its base URL. */
  location?: string;
  /** The URI of a group the user belongs to, for `groups[].$ref` where the directory set none. */
  groupRef?: (group: GroupMembership) => string;
}

/** A protobuf User as a SCIM User resource. Unset fields are omitted, never rendered as null. */
export function userFromProto(user: User, options: UserFromProtoOptions = {}): ScimResource {
  const resource: Json = {};
  const schemas: string[] = [urn.user];
  resource.schemas = schemas;
  if (user.id !== "") resource.id = user.id;
  if (user.externalId !== undefined) resource.externalId = user.externalId;
  resource.userName = user.userName;
  if (user.name !== undefined) {
    const name = compact(Object.fromEntries(nameStrings.map((key) => [key, user.name?.[key]])));
    if (Object.keys(name).length > 0) resource.name = name;
  }
  for (const [attribute, field] of userStrings) {
    if (attribute === "externalId" || attribute === "password") continue;
    const value = user[field];
    if (value !== undefined) resource[attribute] = value;
  }
  if (user.active !== undefined) resource.active = user.active;
  for (const [attribute, field] of multiValued) {
    if (user[field].length > 0) resource[attribute] = user[field].map(multiValuedFromProto);
  }
  if (user.addresses.length > 0) {
    resource.addresses = user.addresses.map((address) =>
      compact({ ...Object.fromEntries(addressStrings.map((key) => [key, address[key]])), primary: address.primary }),
    );
  }
  if (user.groups.length > 0) {
    resource.groups = user.groups.map((group) =>
      compact({ value: group.value, ref: group.ref ?? options.groupRef?.(group), display: group.display, type: group.type }),
    );
  }
  if (user.enterprise !== undefined) {
    const extension = compact(Object.fromEntries(enterpriseStrings.map((key) => [key, user.enterprise?.[key]])));
    const manager = user.enterprise.manager;
    if (manager !== undefined) {
      const managerJson = compact({ value: manager.value, ref: manager.ref, displayName: manager.displayName });
      if (Object.keys(managerJson).length > 0) extension.manager = managerJson;
    }
    if (Object.keys(extension).length > 0) {
      resource[urn.enterpriseUser] = extension;
      schemas.push(urn.enterpriseUser);
    }
  }
  for (const [schema, attributes] of Object.entries(user.extensions)) {
    if (Object.keys(attributes).length === 0) continue;
    resource[schema] = attributes;
    schemas.push(schema);
  }
  if (user.meta !== undefined) {
    const meta: Json = { resourceType: "User" };
    if (user.meta.created !== undefined) meta.created = timestampDate(user.meta.created).toISOString();
    if (user.meta.lastModified !== undefined) meta.lastModified = timestampDate(user.meta.lastModified).toISOString();
    if (options.location !== undefined) meta.location = options.location;
    meta.version = versionToEtag(user.meta.version);
    resource.meta = meta;
  }
  return resource as ScimResource;
}
