import type { Context, Middleware } from "koa";
import {
  parseSearchRequest,
  ScimError,
  type ListQuery,
  type PagingLimits,
  type ResourceTypeDefinition,
  type ScimLimits,
} from "@scimgw/scim";
import type { AuthenticatedState } from "../auth/authenticate.js";
import { StreamedArray } from "../http/stream-json.js";
import { listResponseOf, sendScimJson, type ResourcePage } from "./list-page.js";
import type { TenantSchemas } from "../schemas/tenant-schemas.js";

type ScimContext = Context & { state: AuthenticatedState };

/** A resource type the root search spans (of the tenant's types), with the page reader of its own endpoint. */
export interface SearchedResourceType {
  resourceType(schemas: TenantSchemas): ResourceTypeDefinition;
  page(ctx: ScimContext, query: ListQuery, schemas: TenantSchemas): Promise<ResourcePage>;
}

/** The resources of several pages, in order, streamed if any of them streams. */
function concatenated(pages: readonly ResourcePage[]): ResourcePage["resources"] {
  if (!pages.some((page) => page.resources instanceof StreamedArray)) return pages.flatMap((page) => page.resources as readonly unknown[]);
  return new StreamedArray(
    (async function* () {
      for (const page of pages) {
        if (page.resources instanceof StreamedArray) yield* page.resources.pages;
        else yield page.resources;
      }
    })(),
  );
}

/**
 * `POST /.search` at the SCIM root (RFC 7644 §3.4.3): one SearchRequest over every resource type,
 * answered as one list, the types in the order given (Users, then Groups). startIndex and count
 * page over that concatenation, using each type's totalResults to know where the next type
 * starts. A filter or sortBy naming attributes that one type does not have leaves that type out
 * of the result (a filter can only match resources that have its attributes); one that fits no
 * type is the error the first type gave.
 */
export function rootSearch(
  types: readonly SearchedResourceType[],
  paging: PagingLimits,
  limits: ScimLimits,
  schemasOf: (ctx: ScimContext) => Promise<TenantSchemas>,
): Middleware<AuthenticatedState> {
  return async (ctx) => {
    const schemas = await schemasOf(ctx);
    const searches: Array<{ type: SearchedResourceType; query: ListQuery }> = [];
    let firstError: ScimError | undefined;
    for (const type of types) {
      try {
        searches.push({ type, query: parseSearchRequest(ctx.request.body, type.resourceType(schemas), paging, limits) });
      } catch (error) {
        if (!(error instanceof ScimError)) throw error;
        firstError ??= error;
      }
    }
    const first = searches[0];
    if (first === undefined) throw firstError ?? new Error("rootSearch needs at least one resource type");
    // startIndex and count are read from the same request for every type, so they agree.
    const { startIndex, count } = first.query;
    let skip = startIndex - 1;
    let remaining = count;
    const pages: ResourcePage[] = [];
    for (const { type, query } of searches) {
      // count 0 still asks each type for its total (RFC 7644 §3.4.2.4).
      const page = await type.page(ctx, { ...query, startIndex: skip + 1, count: remaining }, schemas);
      pages.push(page);
      skip = Math.max(0, skip - page.totalResults);
      remaining = Math.max(0, remaining - page.itemsPerPage);
    }
    const page: ResourcePage = {
      totalResults: pages.reduce((sum, each) => sum + each.totalResults, 0),
      itemsPerPage: pages.reduce((sum, each) => sum + each.itemsPerPage, 0),
      resources: concatenated(pages),
    };
    sendScimJson(ctx, 200, listResponseOf(page, startIndex));
  };
}
