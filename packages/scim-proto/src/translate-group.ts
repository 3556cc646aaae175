import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { GroupMemberSchema, GroupSchema, type Group, type GroupMember } from "@scimgw/proto";
import { isJsonObject, urn, versionToEtag, type ScimResource } from "@scimgw/scim";

type Json = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * A SCIM Group (canonical names, as `normalizeResource` produces) as a protobuf Group: members
 * become ids; extension objects are kept by URN. `meta` is the directory's.
 */
export function groupToProto(resource: ScimResource): Group {
  const extensions: Record<string, JsonObject> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key.startsWith("urn:") && key !== urn.group && isJsonObject(value)) extensions[key] = value as JsonObject;
  }
  const members: Json[] = Array.isArray(resource.members) ? (resource.members as unknown[]).filter(isJsonObject) : [];
  return create(GroupSchema, {
    id: str(resource.id) ?? "",
    externalId: str(resource.externalId),
    displayName: str(resource.displayName) ?? "",
    members: members.map((member) =>
      create(GroupMemberSchema, { value: str(member.value) ?? "", type: str(member.type) ?? "", display: str(member.display) }),
    ),
    extensions,
  });
}

export interface GroupFromProtoOptions {
  /** The resource's absolute URI, for `meta.location`. */
  location?: string;
  /** The members to render; omitted when the caller did not read them (or they were excluded). */
  members?: readonly GroupMember[];
  /** The URI of a member resource, for its `$ref`. */
  memberRef?: (member: GroupMember) => string;
}

/** One member as RFC 7643 §4.2 renders it. */
export function memberFromProto(member: GroupMember, memberRef?: (member: GroupMember) => string): Json {
  return {
    value: member.value,
    ...(memberRef ? { $ref: memberRef(member) } : {}),
    ...(member.type !== "" ? { type: member.type } : {}),
    ...(member.display !== undefined ? { display: member.display } : {}),
  };
}

/** A protobuf Group as a SCIM Group resource. */
export function groupFromProto(group: Group, options: GroupFromProtoOptions = {}): ScimResource {
  const resource: Json = { schemas: [urn.group] };
  const schemas = resource.schemas as string[];
  if (group.id !== "") resource.id = group.id;
  if (group.externalId !== undefined) resource.externalId = group.externalId;
  resource.displayName = group.displayName;
  if (options.members !== undefined) resource.members = options.members.map((member) => memberFromProto(member, options.memberRef));
  for (const [schema, attributes] of Object.entries(group.extensions)) {
    if (Object.keys(attributes).length === 0) continue;
    resource[schema] = attributes;
    schemas.push(schema);
  }
  if (group.meta !== undefined) {
    const meta: Json = { resourceType: "Group" };
    if (group.meta.created !== undefined) meta.created = timestampDate(group.meta.created).toISOString();
    if (group.meta.lastModified !== undefined) meta.lastModified = timestampDate(group.meta.lastModified).toISOString();
    if (options.location !== undefined) meta.location = options.location;
    meta.version = versionToEtag(group.meta.version);
    resource.meta = meta;
  }
  return resource as ScimResource;
}
