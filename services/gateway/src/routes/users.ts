import Router from "@koa/router";
import type { Context } from "koa";
import type { User } from "@scimgw/proto";
import {
  normalizeResource,
  parseAttributeList,
  parseFilter,
  parsePatchRequest,
  projectResource,
  resolveFilter,
  ScimError,
  urn,
  userResourceType,
  type ScimResource,
} from "@scimgw/scim";
import { filterToProto, patchOperationsToProto, userFromProto, userToProto, versionToEtag } from "@scimgw/scim-proto";
import type { AuthenticatedState } from "../auth/authenticate.js";
import type { DirectoryClients } from "../directory-client.js";
import { scimContentType } from "../errors/render-error.js";
import { expectedVersionOf } from "../http/etag.js";
import { parsePaging } from "../http/paging.js";

export interface UserRoutesOptions {
  directory: DirectoryClients;
  /** The absolute URL of the SCIM root for a request, e.g. https://acme.example/services/scim/v2. */
  scimBaseUrl: (ctx: Context) => string;
  paging: { defaultCount: number; maxCount: number };
}

type Query = Record<string, string | string[] | undefined>;

/** The `:id` of a /Users/:id route (the router only matches when it is present). */
function resourceId(ctx: { params: Record<string, string | undefined> }): string {
  return ctx.params.id ?? "";
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The attributes/excludedAttributes of a request (RFC 7644 §3.4.2.5), applied to every user returned. */
function projectionOf(query: Query) {
  const attributes = single(query, "attributes");
  const excludedAttributes = single(query, "excludedAttributes");
  return {
    ...(attributes ? { attributes: parseAttributeList(attributes, userResourceType) } : {}),
    ...(excludedAttributes ? { excludedAttributes: parseAttributeList(excludedAttributes, userResourceType) } : {}),
  };
}

/** The SCIM /Users endpoint (RFC 7644 §3): each request is one directory call. */
export function userRoutes({ directory, scimBaseUrl, paging }: UserRoutesOptions): Router<AuthenticatedState> {
  const router = new Router<AuthenticatedState>();

  function representation(ctx: Context, user: User): ScimResource {
    const resource = userFromProto(user, { location: `${scimBaseUrl(ctx)}/Users/${user.id}` });
    return projectResource(resource, projectionOf(ctx.query), userResourceType);
  }

  function respond(ctx: Context, status: number, user: User): void {
    ctx.status = status;
    ctx.type = scimContentType;
    if (user.meta) ctx.set("ETag", versionToEtag(user.meta.version));
    ctx.body = representation(ctx, user);
  }

  router.post("/Users", async (ctx) => {
    const resource = normalizeResource(ctx.request.body, userResourceType, "create");
    const { user } = await directory.users.createUser({ tenantId: ctx.state.tenant.tenantId, user: userToProto(resource) });
    if (!user) throw new Error("directory returned no user");
    respond(ctx, 201, user);
    ctx.set("Location", `${scimBaseUrl(ctx)}/Users/${user.id}`);
  });

  router.get("/Users", async (ctx) => {
    const filterText = single(ctx.query, "filter");
    const filter = filterText === undefined ? undefined : filterToProto(resolveFilter(parseFilter(filterText), userResourceType));
    const page = parsePaging(ctx.query, paging);
    const projection = projectionOf(ctx.query);
    const result = await directory.users.listUsers({
      tenantId: ctx.state.tenant.tenantId,
      filter,
      startIndex: BigInt(page.startIndex),
      count: page.count,
    });
    ctx.type = scimContentType;
    ctx.body = {
      schemas: [urn.listResponse],
      totalResults: Number(result.totalResults),
      itemsPerPage: result.users.length,
      startIndex: page.startIndex,
      Resources: result.users.map((user) =>
        projectResource(userFromProto(user, { location: `${scimBaseUrl(ctx)}/Users/${user.id}` }), projection, userResourceType),
      ),
    };
  });

  router.get("/Users/:id", async (ctx) => {
    const { user } = await directory.users.getUser({ tenantId: ctx.state.tenant.tenantId, id: resourceId(ctx) });
    if (!user) throw new Error("directory returned no user");
    respond(ctx, 200, user);
  });

  router.put("/Users/:id", async (ctx) => {
    const resource = normalizeResource(ctx.request.body, userResourceType, "replace");
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

  router.patch("/Users/:id", async (ctx) => {
    const operations = parsePatchRequest(ctx.request.body);
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

  router.delete("/Users/:id", async (ctx) => {
    await directory.users.deleteUser({
      tenantId: ctx.state.tenant.tenantId,
      id: resourceId(ctx),
      expectedVersion: expectedVersionOf(ctx.get("if-match") || undefined),
    });
    ctx.status = 204;
  });

  return router;
}

