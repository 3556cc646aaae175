import type { Context } from "koa";
import { parseListQuery, ScimError, type ListQuery, type ResourceTypeDefinition } from "@scimgw/scim";
import { attributePathToProto, filterToProto } from "@scimgw/scim-proto";
import { SortOrder, type Filter, type AttributePath } from "@scimgw/proto";

/** Pages of 50, at most 200 (the console shows a table, not an export). */
export const consolePaging = { defaultCount: 50, maxCount: 200 };

export interface ParsedListQuery {
  query: ListQuery;
  filterText: string;
  request: { filter: Filter | undefined; startIndex: bigint; count: number; sortBy: AttributePath | undefined; sortOrder: SortOrder };
}

/**
 * The filter box and paging, parsed by the SCIM core and translated to the directory's request
 * exactly as the gateway does for `GET /Users?filter=…` (one place per rule). An invalid filter
 * is the SCIM error, whose detail the page shows.
 */
export function parseConsoleListQuery(
  ctx: Context,
  resourceType: ResourceTypeDefinition,
): ParsedListQuery | { problem: string; filterText: string } {
  const filterText = typeof ctx.query.filter === "string" ? ctx.query.filter.trim() : "";
  const startIndex = typeof ctx.query.startIndex === "string" ? ctx.query.startIndex : undefined;
  try {
    const query = parseListQuery(
      {
        ...(filterText === "" ? {} : { filter: filterText }),
        ...(startIndex === undefined ? {} : { startIndex }),
        count: String(consolePaging.defaultCount),
      },
      resourceType,
      consolePaging,
    );
    return {
      query,
      filterText,
      request: {
        filter: query.filter === undefined ? undefined : filterToProto(query.filter),
        startIndex: BigInt(query.startIndex),
        count: query.count,
        sortBy: query.sortBy === undefined ? undefined : attributePathToProto(query.sortBy),
        sortOrder: query.sortOrder === "descending" ? SortOrder.DESCENDING : SortOrder.ASCENDING,
      },
    };
  } catch (error) {
    if (error instanceof ScimError) return { problem: `${error.scimType ?? `${error.status}`}: ${error.message}`, filterText };
    throw error;
  }
}
