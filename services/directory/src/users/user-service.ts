import { UserKeyKind, type User, type UserService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { applyPatch, normalizeResource, resolveFilter, type ResourceTypeDefinition } from "@scimgw/scim";
import { filterFromProto, isResourceId, patchOperationsFromProto, userFromProto, userToProto } from "@scimgw/scim-proto";
import { invalidArgument, notFound } from "../errors/directory-errors.js";
import { listPagingOf, pageByCursor, sortOf } from "../query/list-paging.js";
import { exactlyOneKey } from "../query/lookup-by-key.js";
import { userKeyset } from "./compile-user-sort.js";
import type { UserKey, UserStore } from "./user-store.js";
import { writeCallOf } from "../activity/write-activity.js";
import { writeBySchema } from "../schemas/write-by-schema.js";

function requireTenant(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

function requireId(id: string): string {
  if (id === "") throw invalidArgument("id is required");
  // Not an id this directory makes: no user has it, and PostgreSQL cannot even compare a NUL.
  if (!isResourceId(id)) throw notFound(`user ${quotedId(id)}`);
  return id;
}

/** The store's name for each kind of batch key; UNSPECIFIED has none and is refused. */
function userKeyOf(kind: UserKeyKind): UserKey {
  switch (kind) {
    case UserKeyKind.ID:
      return "id";
    case UserKeyKind.USER_NAME:
      return "userName";
    case UserKeyKind.EXTERNAL_ID:
      return "externalId";
    default:
      throw invalidArgument("key_kind is required: ID, USER_NAME or EXTERNAL_ID");
  }
}

/** GetUserRequest's key fields, by the store's name for each. */
const getUserKeys = { id: "id", user_name: "userName", external_id: "externalId" } as const satisfies Record<string, UserKey>;

/**
 * Runs a user through the SCIM core's rules (required userName, types, one primary value per
 * attribute, limits and string rules at their defaults...) by the tenant's resource type, so gRPC
 * callers are held to exactly what SCIM clients are held to, extension attributes included; an
 * `extensions` key the tenant has not registered is refused there, as `schemas` lists it.
 */
function validated(user: User | undefined, context: "create" | "replace", resourceType: ResourceTypeDefinition): User {
  if (user === undefined) throw invalidArgument("user is required");
  const normalized = userToProto(normalizeResource(userFromProto(user), resourceType, context));
  normalized.id = user.id;
  normalized.password = user.password;
  return normalized;
}

/**
 * The user service. Writes run by the tenant's schemas at the revision the caller names
 * (writeBySchema); reads resolve filters and sorts by the tenant's current ones. The schemas are
 * the store's cache, so the service and the store always see one revision of a tenant's.
 */
export function createUserService(store: UserStore): ServiceImplementationOf<typeof UserService> {
  const { schemas } = store;
  return {
    async createUser(request, context) {
      const tenantId = requireTenant(request.tenantId);
      const user = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.create(tenantId, validated(request.user, "create", types.user), { ...writeCallOf(context), schema: types }),
      );
      return { user };
    },

    async getUser(request) {
      const tenantId = requireTenant(request.tenantId);
      const key = exactlyOneKey({ id: request.id, user_name: request.userName, external_id: request.externalId });
      if (key.name === "id") requireId(key.value);
      return { user: await store.getBy(tenantId, getUserKeys[key.name], key.value) };
    },

    async batchGetUsers(request) {
      const tenantId = requireTenant(request.tenantId);
      return await store.batchGet(tenantId, userKeyOf(request.keyKind), request.keys);
    },

    async listUsers(request) {
      const tenantId = requireTenant(request.tenantId);
      const { user: resourceType } = await schemas.get(tenantId);
      // Internal callers may spell attributes in any case: resolve as the gateway does.
      const filter = request.filter === undefined ? undefined : resolveFilter(filterFromProto(request.filter), resourceType);
      const sort = sortOf(request);
      const paging = listPagingOf(request);
      if (paging.kind === "offset") {
        const page = await store.list(tenantId, filter, paging.startIndex, paging.count, sort);
        return { users: page.users, totalResults: BigInt(page.totalResults) };
      }
      const keyset = userKeyset(sort, resourceType);
      const page = await pageByCursor({ resource: "User", tenantId, filter, keyset }, paging, (after) =>
        store.listAfter(tenantId, filter, keyset, after, paging.count, paging.includeTotal),
      );
      return { users: page.items, totalResults: page.totalResults, nextPageToken: page.nextPageToken };
    },

    async listUserGroups(request) {
      const tenantId = requireTenant(request.tenantId);
      if (request.userId === "") throw invalidArgument("user_id is required");
      return { groups: await store.groupsOfUser(tenantId, request.userId, request.includeIndirect) };
    },

    async replaceUser(request, context) {
      const tenantId = requireTenant(request.tenantId);
      if (request.user === undefined) throw invalidArgument("user is required");
      requireId(request.user.id);
      const replaced = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.replace(tenantId, validated(request.user, "replace", types.user), request.expectedVersion, {
          ...writeCallOf(context),
          schema: types,
        }),
      );
      const [saved] = await store.withGroups(tenantId, [replaced]);
      return { user: saved };
    },

    async patchUser(request, context) {
      const operations = patchOperationsFromProto(request.operations);
      if (operations.length === 0) throw invalidArgument("at least one PATCH operation is required");
      const tenantId = requireTenant(request.tenantId);
      const id = requireId(request.id);
      const user = await writeBySchema(schemas, tenantId, request.schemaRevision, (types) =>
        store.update(
          tenantId,
          id,
          (current) => {
            const patched = userToProto(applyPatch(userFromProto(current), operations, types.user));
            patched.id = current.id;
            return patched;
          },
          request.expectedVersion,
          { ...writeCallOf(context), schema: types },
        ),
      );
      const [withGroups] = await store.withGroups(request.tenantId, [user]);
      return { user: withGroups };
    },

    async deleteUser(request, context) {
      await store.delete(requireTenant(request.tenantId), requireId(request.id), request.expectedVersion, writeCallOf(context));
      return {};
    },
  };
}

/** An id as an error names it: quoted, so a NUL shows as \u0000, and cut short if long. */
function quotedId(id: string): string {
  return JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
}
