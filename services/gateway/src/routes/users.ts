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
  userResourceType,
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

export interface UserRoutesOptions {
  directory: DirectoryClient;
  /** The absolute URL of the SCIM root for a request, e.g. https://acme.example/services/scim/v2. */
  scimBaseUrl: (ctx: Context) => string;
  paging: PagingLimits;
  /** What one request may ask (the SCIM core's defaults, or tighter settings). */
  limits: ScimLimits;
  /** Which `:id`s can name a resource (see GatewayOptions). */
  isResourceId: (id: string) => boolean;
}

type ScimContext = Context & { state: AuthenticatedState };

/** The SCIM /Users endpoint (RFC 7644 §3): each request is one directory call. */
export function userRoutes({ directory, scimBaseUrl, paging, limits, isResourceId }: UserRoutesOptions) {
  const router = new Router<AuthenticatedState>();
  const resourceId = resourceIdReader("User", isResourceId);

  function representation(ctx: Context, user: User, query: Pick<ListQuery, "attributes" | "excludedAttributes">): ScimResource {
    const baseUrl = scimBaseUrl(ctx);
    const resource = userFromProto(user, {
      location: resourceUrl(baseUrl, "User", user.id),
      groupRef: (group) => resourceUrl(baseUrl, "Group", group.value),
    });
    return projectResource(resource, projectionOf(query), userResourceType);
  }

  /** Responses to single-resource requests honour attributes/excludedAttributes too (RFC 7644 §3.9). */
  function respond(ctx: Context, status: number, user: User): void {
    ctx.status = status;
    ctx.type = scimContentType;
    if (user.meta) ctx.set("ETag", versionToEtag(user.meta.version));
    ctx.body = representation(ctx, user, parseListQuery(ctx.query, userResourceType, paging, limits));
  }

  /** One page of users matching a list query; exported for the root /.search. */
  async function page(ctx: ScimContext, query: ListQuery): Promise<ResourcePage> {
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
      resources: result.users.map((user) => representation(ctx, user, query)),
    };
  }

  async function list(ctx: ScimContext, query: ListQuery): Promise<void> {
    sendScimJson(ctx, 200, listResponseOf(await page(ctx, query), query.startIndex));
  }

  router.post("users.search", "/Users/.search", (ctx) => list(ctx, parseSearchRequest(ctx.request.body, userResourceType, paging, limits)));

  router.post("users.create", "/Users", async (ctx) => {
    const resource = normalizeResource(ctx.request.body, userResourceType, "create", limits);
    const { user } = await directory.users.createUser({ tenantId: ctx.state.tenant.tenantId, user: userToProto(resource) });
    if (!user) throw new Error("directory returned no user");
    respond(ctx, 201, user);
    ctx.set("Location", resourceUrl(scimBaseUrl(ctx), "User", user.id));
  });

  router.get("users.list", "/Users", (ctx) => list(ctx, parseListQuery(ctx.query, userResourceType, paging, limits)));

  router.get("users.get", "/Users/:id", async (ctx) => {
    const { user } = await directory.users.getUser({ tenantId: ctx.state.tenant.tenantId, id: resourceId(ctx) });
    if (!user) throw new Error("directory returned no user");
    if (user.meta && isNotModified(ctx.get("if-none-match") || undefined, user.meta.version)) {
      ctx.status = 304;
      ctx.set("ETag", versionToEtag(user.meta.version));
      return;
    }
    respond(ctx, 200, user);
  });

  router.put("users.replace", "/Users/:id", async (ctx) => {
    const resource = normalizeResource(ctx.request.body, userResourceType, "replace", limits);
    const user = userToProto(resource);
    user.id = resourceId(ctx);
    const response = await directory.users.replaceUser({
      tenantId: ctx.state.tenant.tenantId,
      user,
      expectedVersion: expectedVersionOf(ctx.get("if-match") || undefined),
    });
    if (!response.user) throw new Error("directory returned no user");
    respond(ctx, 200, response.user);
  });

  router.patch("users.patch", "/Users/:id", async (ctx) => {
    const operations = parsePatchRequest(ctx.request.body, limits);
    const { user } = await directory.users.patchUser({
      tenantId: ctx.state.tenant.tenantId,
      id: resourceId(ctx),
      operations: patchOperationsToProto(operations),
      expectedVersion: expectedVersionOf(ctx.get("if-match") || undefined),
    });
    if (!user) throw new Error("directory returned no user");
    // RFC 7644 §3.5.2: 200 with the resource (Okta and Entra accept it; 204 would hide the new ETag's body).
    respond(ctx, 200, user);
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
