import { create } from "@bufbuild/protobuf";
import { GroupKeyKind, GroupMemberSchema, type Group, type GroupService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import {
  applyPatch,
  defaultScimLimits,
  normalizeResource,
  resolveFilter,
  isStorableText,
  ScimError,
  splitMemberOperations,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import { filterFromProto, groupFromProto, groupToProto, isResourceId, patchOperationsFromProto } from "@scimgw/scim-proto";
import { fromScimError, invalidArgument, notFound } from "../errors/directory-errors.js";
import { memberships } from "../memberships/membership-store.js";
import { listPagingOf, pageByCursor, sortOf } from "../query/list-paging.js";
import { exactlyOneKey } from "../query/lookup-by-key.js";
import { groupKeyset } from "./compile-group-filter.js";
import type { GroupKey, GroupStore } from "./group-store.js";
import { writeCallOf } from "../activity/write-activity.js";
import { writeBySchema } from "../schemas/write-by-schema.js";

/** The largest page of members one ListGroupMembers call returns. */
export const maxMembersPage = 5000;

function required(value: string, name: string): string {
  if (value === "") throw invalidArgument(`${name} is required`);
  return value;
}

/** A group id this directory could have made; any other names no group (and is never queried). */
function requiredId(value: string, name: string): string {
  if (!isResourceId(required(value, name))) throw notFound(`group ${quotedId(value)}`);
  return value;
}

/** GetGroupRequest's key fields, by the store's name for each. */
const getGroupKeys = { id: "id", display_name: "displayName", external_id: "externalId" } as const satisfies Record<string, GroupKey>;

/** The store's name for each kind of batch key; UNSPECIFIED has none and is refused. */
function groupKeyOf(kind: GroupKeyKind): GroupKey {
  switch (kind) {
    case GroupKeyKind.ID:
      return "id";
    case GroupKeyKind.DISPLAY_NAME:
      return "displayName";
    case GroupKeyKind.EXTERNAL_ID:
      return "externalId";
    default:
      throw invalidArgument("key_kind is required: ID, DISPLAY_NAME or EXTERNAL_ID");
  }
}

/**
 * Member ids no store can compare the same way (a NUL, which PostgreSQL refuses, another control
 * character or a lone surrogate) are refused before any query; they cannot be ids of ours, and
 * other unknown ids are named by the store as before.
 */
function comparableMemberIds(ids: readonly string[]): readonly string[] {
  const impossible = ids.filter((id) => !isStorableText(id));
  if (impossible.length === 0) return ids;
  const shown = impossible
    .slice(0, 20)
    .map((id) => JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id))
    .join(", ");
  const more = impossible.length > 20 ? `, and ${impossible.length - 20} more` : "";
  throw fromScimError(ScimError.of("invalidValue", `invalid members: no user or group of this tenant has these ids: ${shown}${more}`));
}

/**
 * Holds gRPC callers to the SCIM core's Group rules (displayName required, types, limits and
 * string rules at their defaults) by the tenant's resource type, its extensions included, members
 * aside: those are ids, at most maxMembers of them.
 */
function validated(group: Group | undefined, context: "create" | "replace", resourceType: ResourceTypeDefinition): Group {
  if (group === undefined) throw invalidArgument("group is required");
  const { maxMembers } = defaultScimLimits;
  if (group.members.length > maxMembers) {
    throw fromScimError(ScimError.of("invalidValue", `members has ${group.members.length} values; at most ${maxMembers} are allowed`));
  }
  const normalized = groupToProto(normalizeResource(groupFromProto({ ...group, members: [] }), resourceType, context));
  normalized.id = group.id;
  comparableMemberIds(group.members.map((member) => required(member.value, "members[].value")));
  normalized.members = group.members.map((member) => create(GroupMemberSchema, { value: member.value }));
  return normalized;
}

/** The group service; writes run by the tenant's schemas as the user service's do (writeBySchema). */
export function createGroupService(store: GroupStore): ServiceImplementationOf<typeof GroupService> {
  const { schemas } = store;
  return {
    async createGroup(request, context) {
      const tenantId = required(request.tenantId, "tenant_id");
      const group = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.create(tenantId, validated(request.group, "create", types.group), { ...writeCallOf(context), schema: types }),
      );
      return { group };
    },

    async getGroup(request) {
      const tenantId = required(request.tenantId, "tenant_id");
      const key = exactlyOneKey({ id: request.id, display_name: request.displayName, external_id: request.externalId });
      if (key.name === "id") requiredId(key.value, "id");
      return store.getBy(tenantId, getGroupKeys[key.name], key.value);
    },

    async batchGetGroups(request) {
      return store.batchGet(required(request.tenantId, "tenant_id"), groupKeyOf(request.keyKind), request.keys);
    },

    async listGroups(request) {
      const tenantId = required(request.tenantId, "tenant_id");
      const { group: resourceType } = await schemas.get(tenantId);
      const filter = request.filter === undefined ? undefined : resolveFilter(filterFromProto(request.filter), resourceType);
      const sort = sortOf(request);
      const paging = listPagingOf(request);
      if (paging.kind === "offset") {
        const page = await store.list(tenantId, filter, paging.startIndex, paging.count, sort);
        return { groups: page.groups, totalResults: BigInt(page.totalResults) };
      }
      const keyset = groupKeyset(sort, resourceType);
      const page = await pageByCursor({ resource: "Group", tenantId, filter, keyset }, paging, (after) =>
        store.listAfter(tenantId, filter, keyset, after, paging.count, paging.includeTotal),
      );
      return { groups: page.items, totalResults: page.totalResults, nextPageToken: page.nextPageToken };
    },

    async listGroupMembers(request) {
      const limit = request.limit <= 0 ? 1000 : Math.min(request.limit, maxMembersPage);
      const members = await store.members(
        required(request.tenantId, "tenant_id"),
        requiredId(request.groupId, "group_id"),
        request.afterMemberId,
        limit,
      );
      const last = members.at(-1);
      return { members, nextAfterMemberId: members.length === limit && last !== undefined ? last.value : "" };
    },

    async replaceGroup(request, context) {
      const tenantId = required(request.tenantId, "tenant_id");
      if (request.group === undefined) throw invalidArgument("group is required");
      requiredId(request.group.id, "group.id");
      const group = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.replace(tenantId, validated(request.group, "replace", types.group), request.expectedVersion, {
          ...writeCallOf(context),
          schema: types,
        }),
      );
      return { group };
    },

    /**
     * Attribute operations run through the SCIM core on the group without its members; member
     * operations become set operations on the membership rows; all in one transaction, in the
     * client's order.
     */
    async patchGroup(request, context) {
      const tenantId = required(request.tenantId, "tenant_id");
      const steps = splitMemberOperations(patchOperationsFromProto(request.operations));
      if (steps.length === 0) throw invalidArgument("at least one PATCH operation is required");
      const id = requiredId(request.id, "id");
      const group = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.update(
          tenantId,
          id,
          async (current, trx, delta) => {
            let group = current;
            for (const step of steps) {
              if (step.kind === "attributes") {
                const next = groupToProto(applyPatch(groupFromProto(group), step.operations, types.group));
                next.id = group.id;
                group = next;
                continue;
              }
              const change = step.change;
              if (change.kind === "add") delta.added(await memberships.add(trx, tenantId, group.id, comparableMemberIds(change.ids)));
              // Removing an id that cannot exist changes nothing, as removing any non-member does.
              else if (change.kind === "remove")
                delta.removed(await memberships.remove(trx, tenantId, group.id, change.ids.filter(isStorableText)));
              else if (change.kind === "removeAll") delta.removed(await memberships.removeAll(trx, tenantId, group.id));
              else {
                const { added, removed } = await memberships.replace(trx, tenantId, group.id, comparableMemberIds(change.ids));
                delta.removed(removed);
                delta.added(added);
              }
            }
            return group;
          },
          request.expectedVersion,
          { ...writeCallOf(context), schema: types },
        ),
      );
      return { group };
    },

    async deleteGroup(request, context) {
      await store.delete(
        required(request.tenantId, "tenant_id"),
        requiredId(request.id, "id"),
        request.expectedVersion,
        writeCallOf(context),
      );
      return {};
    },
  };
}

/** An id as an error names it: quoted, so a NUL shows as \u0000, and cut short if long. */
function quotedId(id: string): string {
  return JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
}
