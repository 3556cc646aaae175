import { create } from "@bufbuild/protobuf";
import { GroupKeyKind, GroupMemberSchema, type Group, type GroupService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { applyPatch, groupResourceType, normalizeResource, resolveFilter, splitMemberOperations } from "@scimgw/scim";
import { filterFromProto, groupFromProto, groupToProto, patchOperationsFromProto } from "@scimgw/scim-proto";
import { invalidArgument } from "../errors/directory-errors.js";
import { memberships } from "../memberships/membership-store.js";
import { listPagingOf, pageByCursor, sortOf } from "../query/list-paging.js";
import { exactlyOneKey } from "../query/lookup-by-key.js";
import { groupKeyset } from "./compile-group-filter.js";
import type { GroupKey, GroupStore } from "./group-store.js";

/** The largest page of members one ListGroupMembers call returns. */
export const maxMembersPage = 5000;

function required(value: string, name: string): string {
  if (value === "") throw invalidArgument(`${name} is required`);
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

/** Holds gRPC callers to the SCIM core's Group rules (displayName required, types), members aside. */
function validated(group: Group | undefined, context: "create" | "replace"): Group {
  if (group === undefined) throw invalidArgument("group is required");
  const normalized = groupToProto(normalizeResource(groupFromProto({ ...group, members: [] }), groupResourceType, context));
  normalized.id = group.id;
  normalized.members = group.members.map((member) => create(GroupMemberSchema, { value: required(member.value, "members[].value") }));
  return normalized;
}

export function createGroupService(store: GroupStore): ServiceImplementationOf<typeof GroupService> {
  return {
    async createGroup(request, context) {
      return { group: await store.create(required(request.tenantId, "tenant_id"), validated(request.group, "create"), context?.signal) };
    },

    async getGroup(request) {
      const tenantId = required(request.tenantId, "tenant_id");
      const key = exactlyOneKey({ id: request.id, display_name: request.displayName, external_id: request.externalId });
      return store.getBy(tenantId, getGroupKeys[key.name], key.value);
    },

    async batchGetGroups(request) {
      return store.batchGet(required(request.tenantId, "tenant_id"), groupKeyOf(request.keyKind), request.keys);
    },

    async listGroups(request) {
      const tenantId = required(request.tenantId, "tenant_id");
      const filter = request.filter === undefined ? undefined : resolveFilter(filterFromProto(request.filter), groupResourceType);
      const sort = sortOf(request);
      const paging = listPagingOf(request);
      if (paging.kind === "offset") {
        const page = await store.list(tenantId, filter, paging.startIndex, paging.count, sort);
        return { groups: page.groups, totalResults: BigInt(page.totalResults) };
      }
      const keyset = groupKeyset(sort);
      const page = await pageByCursor({ resource: "Group", tenantId, filter, keyset }, paging, (after) =>
        store.listAfter(tenantId, filter, keyset, after, paging.count, paging.includeTotal),
      );
      return { groups: page.items, totalResults: page.totalResults, nextPageToken: page.nextPageToken };
    },

    async listGroupMembers(request) {
      const limit = request.limit <= 0 ? 1000 : Math.min(request.limit, maxMembersPage);
      const members = await store.members(
        required(request.tenantId, "tenant_id"),
        required(request.groupId, "group_id"),
        request.afterMemberId,
        limit,
      );
      const last = members.at(-1);
      return { members, nextAfterMemberId: members.length === limit && last !== undefined ? last.value : "" };
    },

    async replaceGroup(request, context) {
      const group = validated(request.group, "replace");
      required(group.id, "group.id");
      return { group: await store.replace(required(request.tenantId, "tenant_id"), group, request.expectedVersion, context?.signal) };
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
      const group = await store.update(
        tenantId,
        required(request.id, "id"),
        async (current, trx, delta) => {
          let group = current;
          for (const step of steps) {
            if (step.kind === "attributes") {
              const next = groupToProto(applyPatch(groupFromProto(group), step.operations, groupResourceType));
              next.id = group.id;
              group = next;
              continue;
            }
            const change = step.change;
            if (change.kind === "add") delta.added(await memberships.add(trx, tenantId, group.id, change.ids));
            else if (change.kind === "remove") delta.removed(await memberships.remove(trx, tenantId, group.id, change.ids));
            else if (change.kind === "removeAll") delta.removed(await memberships.removeAll(trx, tenantId, group.id));
            else {
              const { added, removed } = await memberships.replace(trx, tenantId, group.id, change.ids);
              delta.removed(removed);
              delta.added(added);
            }
          }
          return group;
        },
        request.expectedVersion,
        context?.signal,
      );
      return { group };
    },

    async deleteGroup(request, context) {
      await store.delete(required(request.tenantId, "tenant_id"), required(request.id, "id"), request.expectedVersion, context?.signal);
      return {};
    },
  };
}
