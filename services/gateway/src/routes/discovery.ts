import Router from "@koa/router";
import type { Context, Next } from "koa";
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
}

/** RFC 7644 §4: discovery endpoints take no filter; a client that sends one gets 403. */
async function refuseFilter(ctx: Context, next: Next): Promise<void> {
  if (ctx.query.filter !== undefined) throw ScimError.status(403, "The discovery endpoints do not support filtering (RFC 7644 §4).");
  await next();
}

/**
 * /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4), rendered from the same
 * definitions the server enforces, and from the features this gateway really implements. They
 * describe no tenant's data, so they answer without an API key.
 */
export function discoveryRoutes({ resourceTypes, scimBaseUrl, paging }: DiscoveryRoutesOptions): Router {
  const router = new Router();
  const send = (ctx: Context, body: unknown) => {
    ctx.type = scimContentType;
    ctx.body = body;
  };
  const options = (ctx: Context) => ({ resourceTypes, baseUrl: scimBaseUrl(ctx) });

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
  router.get("discovery.resourceTypes", "/ResourceTypes", (ctx) => send(ctx, resourceTypeListResponse(options(ctx))));
  router.get("discovery.resourceType", "/ResourceTypes/:id", (ctx) => send(ctx, findResourceType(ctx.params.id ?? "", options(ctx))));
  router.get("discovery.schemas", "/Schemas", (ctx) => send(ctx, schemaListResponse(options(ctx))));
  router.get("discovery.schema", "/Schemas/:id", (ctx) => send(ctx, findSchemaDocument(ctx.params.id ?? "", options(ctx))));
  return router;
}
