import Router from "@koa/router";
import type { Context } from "koa";
import { SortOrder, type User } from "@scimgw/proto";
import {
  normalizeResource,
  parseListQuery,
  parsePatchRequest,
  parseSearchRequest,
  expectedVersionOf,
  isNotModified,
  projectResource,
  versionToEtag,
  type ListQuery,
  type PagingLimits,
  type ScimLimits,
  type ScimResource,
} from "@scimgw/scim";
import { attributePathToProto, filterToProto, patchOperationsToProto, userFromProto, userToProto } from "@scimgw/scim-proto";
import type { AuthenticatedState } from "../auth/authenticate.js";
import type { DirectoryClient } from "@scimgw/directory-client";
import { scimContentType } from "../errors/render-error.js";
import { resourceIdReader } from "../http/read-resource-id.js";
import { resourceUrl } from "../http/resource-url.js";
import { listResponseOf, projectionOf, sendScimJson, type ResourcePage } from "./list-page.js";
import type { TenantSchemaCache, TenantSchemas } from "../schemas/tenant-schemas.js";
import { writeByTenantSchemas } from "../schemas/write-by-tenant-schemas.js";

export interface UserRoutesOptions {
  directory: DirectoryClient;
  /** The absolute URL of the SCIM root for a request, e.g. https://acme.example/services/scim/v2. */
  scimBaseUrl: (ctx: Context) => string;
  paging: PagingLimits;
  /** What one request may ask (the SCIM core's defaults, or tighter settings). */
  limits: ScimLimits;
  /** Which `:id`s can name a resource (see GatewayOptions). */
  isResourceId: (id: string) => boolean;
  /** Each tenant's resource types, with its extensions. */
  schemas: TenantSchemaCache;
}

type ScimContext = Context & { state: AuthenticatedState };

/**
 * The SCIM /Users endpoint (RFC 7644 §3): each request is one directory call, by the tenant's own
 * User resource type (its extensions included), which is read only when its schema revision changed.
 */
export function userRoutes({ directory, scimBaseUrl, paging, limits, isResourceId, schemas }: UserRoutesOptions) {
  const router = new Router<AuthenticatedState>();
  const resourceId = resourceIdReader("User", isResourceId);
  const schemasOf = (ctx: ScimContext) => schemas.get(ctx.state.tenant.tenantId, ctx.state.tenant.schemaRevision);

  function representation(
    ctx: Context,
    user: User,
    query: Pick<ListQuery, "attributes" | "excludedAttributes">,
    types: TenantSchemas,
  ): ScimResource {
    const baseUrl = scimBaseUrl(ctx);
    const resource = userFromProto(user, {
      location: resourceUrl(baseUrl, "User", user.id),
      groupRef: (group) => resourceUrl(baseUrl, "Group", group.value),
    });
    return projectResource(resource, projectionOf(query), types.user);
  }

  /** Responses to single-resource requests honour attributes/excludedAttributes too (RFC 7644 §3.9). */
  function respond(ctx: Context, status: number, user: User, types: TenantSchemas): void {
    ctx.status = status;
    ctx.type = scimContentType;
    if (user.meta) ctx.set("ETag", versionToEtag(user.meta.version));
    ctx.body = representation(ctx, user, parseListQuery(ctx.query, types.user, paging, limits), types);
  }

  /** One page of users matching a list query (parsed by the tenant's types); exported for the root /.search. */
  async function page(ctx: ScimContext, query: ListQuery, types: TenantSchemas): Promise<ResourcePage> {
    const result = await directory.users.listUsers({
      tenantId: ctx.state.tenant.tenantId,
      filter: query.filter === undefined ? undefined : filterToProto(query.filter),
      startIndex: BigInt(query.startIndex),
      count: query.count,
      sortBy: query.sortBy === undefined ? undefined : attributePathToProto(query.sortBy),
      sortOrder: query.sortOrder === "descending" ? SortOrder.DESCENDING : SortOrder.ASCENDING,
    });
    return {
      totalResults: Number(result.totalResults),
      itemsPerPage: result.users.length,
      resources: result.users.map((user) => representation(ctx, user, query, types)),
    };
  }

  async function list(ctx: ScimContext, parse: (types: TenantSchemas) => ListQuery): Promise<void> {
    const types = await schemasOf(ctx);
    const query = parse(types);
    sendScimJson(ctx, 200, listResponseOf(await page(ctx, query, types), query.startIndex));
  }

  /**
   * A write built by the tenant's types (see writeByTenantSchemas); `fromResource` when it is built
   * from a User body (POST, PUT) rather than a PatchOp.
   */
  const writeUser = (ctx: ScimContext, fromResource: boolean, write: (types: TenantSchemas) => Promise<User | undefined>) =>
    writeByTenantSchemas(
      schemas,
      ctx.state.tenant,
      async (types) => {
        const user = await write(types);
        if (!user) throw new Error("directory returned no user");
        return { user, types };
      },
      fromResource ? { body: { value: ctx.request.body, resourceType: (types) => types.user } } : {},
    );

  router.post("users.search", "/Users/.search", (ctx) =>
    list(ctx, (types) => parseSearchRequest(ctx.request.body, types.user, paging, limits)),
  );

  router.post("users.create", "/Users", async (ctx) => {
    const tenantId = ctx.state.tenant.tenantId;
    const { user, types } = await writeUser(ctx, true, async (types) => {
      const resource = normalizeResource(ctx.request.body, types.user, "create", limits);
      return (await directory.users.createUser({ tenantId, user: userToProto(resource), schemaRevision: types.revision })).user;
    });
    respond(ctx, 201, user, types);
    ctx.set("Location", resourceUrl(scimBaseUrl(ctx), "User", user.id));
  });

  router.get("users.list", "/Users", (ctx) => list(ctx, (types) => parseListQuery(ctx.query, types.user, paging, limits)));

  router.get("users.get", "/Users/:id", async (ctx) => {
    const { user } = await directory.users.getUser({ tenantId: ctx.state.tenant.tenantId, id: resourceId(ctx) });
    if (!user) throw new Error("directory returned no user");
    if (user.meta && isNotModified(ctx.get("if-none-match") || undefined, user.meta.version)) {
      ctx.status = 304;
      ctx.set("ETag", versionToEtag(user.meta.version));
      return;
    }
    respond(ctx, 200, user, await schemasOf(ctx));
  });

  router.put("users.replace", "/Users/:id", async (ctx) => {
    const tenantId = ctx.state.tenant.tenantId;
    const id = resourceId(ctx);
    const expectedVersion = expectedVersionOf(ctx.get("if-match") || undefined);
    const { user, types } = await writeUser(ctx, true, async (types) => {
      const user = userToProto(normalizeResource(ctx.request.body, types.user, "replace", limits));
      user.id = id;
      return (await directory.users.replaceUser({ tenantId, user, expectedVersion, schemaRevision: types.revision })).user;
    });
    respond(ctx, 200, user, types);
  });

  router.patch("users.patch", "/Users/:id", async (ctx) => {
    // The body first: a malformed PatchOp is 400 whatever the id, as for groups.
    const operations = patchOperationsToProto(parsePatchRequest(ctx.request.body, limits));
    const tenantId = ctx.state.tenant.tenantId;
    const id = resourceId(ctx);
    const expectedVersion = expectedVersionOf(ctx.get("if-match") || undefined);
    // The directory applies the operations by the tenant's types; the revision sent says which
    // ones the gateway answers by, so a stale view is refused and read again, not answered from.
    const { user, types } = await writeUser(
      ctx,
      false,
      async (types) =>
        (await directory.users.patchUser({ tenantId, id, operations, expectedVersion, schemaRevision: types.revision })).user,
    );
    // RFC 7644 §3.5.2: 200 with the resource (Okta and Entra accept it; 204 would hide the new ETag's body).
    respond(ctx, 200, user, types);
  });

  router.delete("users.delete", "/Users/:id", async (ctx) => {
    await directory.users.deleteUser({
      tenantId: ctx.state.tenant.tenantId,
      id: resourceId(ctx),
      expectedVersion: expectedVersionOf(ctx.get("if-match") || undefined),
    });
    ctx.status = 204;
  });

  return { router, page };
}
