import Router from "@koa/router";
import type { Context, Middleware, Next } from "koa";
import type { AuthenticatedState, Tenant } from "../auth/authenticate.js";
import {
  findResourceType,
  findSchemaDocument,
  resourceTypeListResponse,
  ScimError,
  schemaListResponse,
  serviceProviderConfig,
  type PagingLimits,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import { scimContentType } from "../errors/render-error.js";

export interface DiscoveryRoutesOptions {
  /** The resource types this gateway serves: the documents describe exactly these. */
  resourceTypes: readonly ResourceTypeDefinition[];
  scimBaseUrl: (ctx: Context) => string;
  paging: PagingLimits;
  /**
   * A tenant's own resource types, served instead of resourceTypes when the request carries an API
   * key, which is then checked as for /Users: its User and Group types with its extensions, and its
   * catalog types. Without a key, the documents describe resourceTypes alone, as they always have.
   */
  tenantResourceTypes?: {
    authenticate: Middleware<AuthenticatedState>;
    of: (tenant: Tenant) => Promise<readonly ResourceTypeDefinition[]>;
  };
}

/** RFC 7644 §4: discovery endpoints take no filter; a client that sends one gets 403. */
async function refuseFilter(ctx: Context, next: Next): Promise<void> {
  if (ctx.query.filter !== undefined) throw ScimError.status(403, "The discovery endpoints do not support filtering (RFC 7644 §4).");
  await next();
}

/**
 * /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4), rendered from the same
 * definitions the server enforces, and from the features this gateway really implements. They
 * describe no tenant's data, so they answer without an API key; with one, /ResourceTypes and
 * /Schemas describe that tenant's extensions and catalog types (Okta reads them to discover entitlements).
 */
export function discoveryRoutes({ resourceTypes, scimBaseUrl, paging, tenantResourceTypes }: DiscoveryRoutesOptions): Router {
  const router = new Router();
  const send = (ctx: Context, body: unknown) => {
    ctx.type = scimContentType;
    ctx.body = body;
  };
  const served = new WeakMap<Context, readonly ResourceTypeDefinition[]>();
  const options = (ctx: Context) => ({ resourceTypes: served.get(ctx) ?? resourceTypes, baseUrl: scimBaseUrl(ctx) });
  /** With an Authorization header, the key is checked and the tenant's own resource types join the documents. */
  const withTenant = async (ctx: Context, next: Next) => {
    if (tenantResourceTypes === undefined || ctx.get("authorization") === "") return next();
    await tenantResourceTypes.authenticate(ctx as Parameters<Middleware<AuthenticatedState>>[0], async () => {
      served.set(ctx, await tenantResourceTypes.of((ctx.state as AuthenticatedState).tenant));
      await next();
    });
  };

  router.use(refuseFilter);
  router.get("discovery.serviceProviderConfig", "/ServiceProviderConfig", (ctx) =>
    send(
      ctx,
      serviceProviderConfig(
        {
          patch: true,
          bulk: false,
          filter: { supported: true, maxResults: paging.maxCount },
          // Okta's password sync PATCHes `password`; it is stored hashed (RFC 7644 §3.5.2).
          changePassword: true,
          sort: true,
          etag: true,
        },
        { location: `${scimBaseUrl(ctx)}/ServiceProviderConfig` },
      ),
    ),
  );
  router.get("discovery.resourceTypes", "/ResourceTypes", withTenant, (ctx) => send(ctx, resourceTypeListResponse(options(ctx))));
  router.get("discovery.resourceType", "/ResourceTypes/:id", withTenant, (ctx) =>
    send(ctx, findResourceType(ctx.params.id ?? "", options(ctx))),
  );
  router.get("discovery.schemas", "/Schemas", withTenant, (ctx) => send(ctx, schemaListResponse(options(ctx))));
  router.get("discovery.schema", "/Schemas/:id", withTenant, (ctx) => send(ctx, findSchemaDocument(ctx.params.id ?? "", options(ctx))));
  return router;
}
