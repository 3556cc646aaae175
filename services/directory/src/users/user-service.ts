import { SortOrder, type User, type UserService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { applyPatch, normalizeResource, resolveFilter, userResourceType } from "@scimgw/scim";
import { attributePathFromProto, filterFromProto, patchOperationsFromProto, userFromProto, userToProto } from "@scimgw/scim-proto";
import { invalidArgument } from "../errors/directory-errors.js";
import type { UserStore } from "./user-store.js";

/** The default and largest page a caller gets when it asks for none or for too many. */
export const maxPageSize = 1000;

function requireTenant(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

function requireId(id: string): string {
  if (id === "") throw invalidArgument("id is required");
  return id;
}

/**
 * Runs a user through the SCIM core's rules (required userName, types, one primary value per
 * attribute...), so gRPC callers are held to exactly what SCIM clients are held to.
 */
function validated(user: User | undefined, context: "create" | "replace"): User {
  if (user === undefined) throw invalidArgument("user is required");
  const normalized = userToProto(normalizeResource(userFromProto(user), userResourceType, context));
  normalized.id = user.id;
  normalized.password = user.password;
  return normalized;
}

export function createUserService(store: UserStore): ServiceImplementationOf<typeof UserService> {
  return {
    async createUser(request) {
      return { user: await store.create(requireTenant(request.tenantId), validated(request.user, "create")) };
    },

    async getUser(request) {
      const tenantId = requireTenant(request.tenantId);
      const [user] = await store.withGroups(tenantId, [await store.get(tenantId, requireId(request.id))]);
      return { user };
    },

    async listUsers(request) {
      // Internal callers may spell attributes in any case: resolve as the gateway does.
      const filter = request.filter === undefined ? undefined : resolveFilter(filterFromProto(request.filter), userResourceType);
      const startIndex = Math.max(1, Number(request.startIndex));
      const count = Math.min(Math.max(0, request.count), maxPageSize);
      const sort = request.sortBy === undefined
        ? undefined
        : { by: attributePathFromProto(request.sortBy), order: request.sortOrder === SortOrder.DESCENDING ? ("descending" as const) : ("ascending" as const) };
      const page = await store.list(requireTenant(request.tenantId), filter, startIndex, count, sort);
      return { users: await store.withGroups(request.tenantId, page.users), totalResults: BigInt(page.totalResults) };
    },

    async replaceUser(request) {
      const user = validated(request.user, "replace");
      requireId(user.id);
      const tenantId = requireTenant(request.tenantId);
      const [saved] = await store.withGroups(tenantId, [await store.replace(tenantId, user, request.expectedVersion)]);
      return { user: saved };
    },

    async patchUser(request) {
      const operations = patchOperationsFromProto(request.operations);
      if (operations.length === 0) throw invalidArgument("at least one PATCH operation is required");
      const user = await store.update(
        requireTenant(request.tenantId),
        requireId(request.id),
        (current) => {
          const patched = userToProto(applyPatch(userFromProto(current), operations, userResourceType));
          patched.id = current.id;
          return patched;
        },
        request.expectedVersion,
      );
      const [withGroups] = await store.withGroups(request.tenantId, [user]);
      return { user: withGroups };
    },

    async deleteUser(request) {
      await store.delete(requireTenant(request.tenantId), requireId(request.id), request.expectedVersion);
      return {};
    },
  };
}
