import type { Context, Middleware, Next } from "koa";
import { EntitlementKind, type Entitlement, type EntitlementType } from "@scimgw/proto";
import {
  catalogEntryResource,
  catalogResourceType,
  parseListQuery,
  projectResource,
  ScimError,
  type CatalogType,
  type PagingLimits,
  type ResourceTypeDefinition,
  type ScimLimits,
} from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { DirectoryClient } from "@scimgw/directory-client";
import type { AuthenticatedState } from "../auth/authenticate.js";
import { listResponseOf, projectionOf, sendScimJson } from "./list-page.js";

/** The first path segments the gateway serves itself (RFC 7644 §3.2, §4): never a catalog endpoint. */
const servedSegments = new Set(["users", "groups", "schemas", "resourcetypes", "serviceproviderconfig", "bulk", "me", ".search"]);

/** A catalog type as the SCIM core renders it. */
export function catalogTypeOf(type: EntitlementType): CatalogType {
  return {
    name: type.name,
    kind: type.kind === EntitlementKind.ROLE ? "role" : "entitlement",
    endpoint: type.endpoint,
    description: type.description,
  };
}

/** A tenant's catalog types as resource types (for /ResourceTypes and /Schemas): one directory call. */
export async function catalogResourceTypes(directory: DirectoryClient, tenantId: string): Promise<ResourceTypeDefinition[]> {
  const { types } = await directory.entitlements.listEntitlementTypes({ tenantId });
  return types.map((type) => catalogResourceType(catalogTypeOf(type)));
}

export interface CatalogRoutesOptions {
  directory: DirectoryClient;
  /** The SCIM root path, e.g. /services/scim/v2. */
  root: string;
  scimBaseUrl: (ctx: Context) => string;
  paging: PagingLimits;
  limits: ScimLimits;
  /** Authenticates the request's API key, as for /Users. */
  authenticate: Middleware<AuthenticatedState>;
  /**
   * The rate limits, applied before the tenant's types are read: every path that reaches this
   * middleware costs a directory call, and none of them matches a SCIM route (which would count
   * the request again), so each costs one token like any other request.
   */
  limitRates: Middleware<AuthenticatedState>;
}

function isoOf(timestamp: Parameters<typeof timestampDate>[0] | undefined): string {
  return timestamp === undefined ? new Date(0).toISOString() : timestampDate(timestamp).toISOString();
}

/**
 * The endpoints of a tenant's catalog types (`/Licenses`, `/Roles`...), which Okta's entitlement
 * discovery reads after /ResourceTypes: read-only (the catalog is published over gRPC), a
 * ListResponse paged by startIndex/count exactly as RFC 7644 §3.4.2.4 says (itemsPerPage is what
 * the page holds: Okta's "SCIM 2.0 Entitlements Test" asserts it equals count=1), filtered on id,
 * displayName and type, and GET {endpoint}/{id}. Writes are 405 (RFC 7644 §3.12).
 *
 * A middleware rather than routes: the endpoints differ per tenant, and a `/:endpoint` route would
 * answer for /Users' and /Groups' missing methods, which must stay 405. Paths under the gateway's
 * own segments pass by untouched; a path that names no catalog type of the tenant passes on to
 * the SCIM routes' own 404 (with a key: without one it is 401 here, as for /Users).
 */
export function catalogRoutes({
  directory,
  root,
  scimBaseUrl,
  paging,
  limits,
  authenticate,
  limitRates,
}: CatalogRoutesOptions): Middleware<AuthenticatedState> {
  const prefix = `${root}/`;
  return async (ctx, next) => {
    if (!ctx.path.startsWith(prefix)) return next();
    const segments = ctx.path.slice(prefix.length).split("/");
    const [endpointSegment, rawId, ...rest] = segments;
    if (endpointSegment === undefined || endpointSegment === "" || rest.length > 0 || rawId === "") return next();
    // Tests hand the gateway partial fakes of the directory: without a catalog service, no catalog.
    if (servedSegments.has(endpointSegment.toLowerCase()) || directory.entitlements === undefined) return next();
    let handled = false;
    await authenticate(ctx, () =>
      limitRates(ctx, async () => {
        const tenantId = ctx.state.tenant.tenantId;
        const { types } = await directory.entitlements.listEntitlementTypes({ tenantId });
        const type = types.find((candidate) => candidate.endpoint.toLowerCase() === `/${endpointSegment}`.toLowerCase());
        if (type === undefined) return;
        handled = true;
        await serve(type);
      }),
    );
    if (!handled) await passOn(ctx, next);

    async function serve(type: EntitlementType): Promise<void> {
      const tenantId = ctx.state.tenant.tenantId;
      // Named as a route names itself (http/operation.ts), so logs, metrics, traces and the
      // activity log tell Okta's catalog reads from unmatched paths.
      (ctx as Context & { _matchedRouteName?: string })._matchedRouteName =
        ctx.method !== "GET" && ctx.method !== "HEAD" ? "catalog.write" : rawId === undefined ? "catalog.list" : "catalog.get";
      if (ctx.method !== "GET" && ctx.method !== "HEAD") {
        ctx.set("Allow", "GET, HEAD");
        throw ScimError.status(
          405,
          `${type.endpoint} is read-only: the ${type.name} catalog is published by the application, not over SCIM`,
        );
      }
      const catalogType = catalogTypeOf(type);
      const resourceType = catalogResourceType(catalogType);
      const render = (entry: Entitlement) =>
        catalogEntryResource(catalogType, {
          id: entry.id,
          displayName: entry.displayName,
          description: entry.description,
          meta: {
            created: isoOf(entry.meta?.created),
            lastModified: isoOf(entry.meta?.lastModified),
            version: entry.meta?.version ?? 0n,
            location: `${scimBaseUrl(ctx)}${type.endpoint}/${encodeURIComponent(entry.id)}`,
          },
        });
      const query = parseListQuery(ctx.query, resourceType, paging, limits);
      if (rawId !== undefined) {
        let id: string;
        try {
          id = decodeURIComponent(rawId);
        } catch {
          throw ScimError.status(404, `${type.name} not found`);
        }
        const { entitlement } = await directory.entitlements.getEntitlement({ tenantId, type: type.name, id });
        if (entitlement === undefined) throw new Error("directory returned no entitlement");
        sendScimJson(ctx, 200, projectResource(render(entitlement), projectionOf(query), resourceType));
        return;
      }
      if (query.sortBy !== undefined)
        throw ScimError.of("invalidValue", `${type.endpoint} lists by id and cannot be sorted; leave out sortBy`);
      const page = await directory.entitlements.listEntitlements({
        tenantId,
        type: type.name,
        filter: query.filter === undefined ? undefined : filterToProto(query.filter),
        startIndex: BigInt(query.startIndex),
        count: query.count,
      });
      sendScimJson(
        ctx,
        200,
        listResponseOf(
          {
            totalResults: Number(page.totalResults),
            itemsPerPage: page.entitlements.length,
            resources: page.entitlements.map((entry) => projectResource(render(entry), projectionOf(query), resourceType)),
          },
          query.startIndex,
        ),
      );
    }
  };
}

/** A path that is no catalog endpoint of the tenant continues to the SCIM routes (and their 404). */
async function passOn(ctx: Context, next: Next): Promise<void> {
  if (ctx.status === 404 && ctx.body === undefined) await next();
}
