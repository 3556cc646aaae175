import { ScimError } from "../errors/scim-error.js";
import type { Filter } from "../filter/filter-ast.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { parseFilter } from "../filter/parse-filter.js";
import { resolveFilter } from "../filter/resolve-filter.js";
import { resolveSortBy } from "./resolve-sort-by.js";
import { parseAttributeList } from "./parse-attribute-list.js";
import { isJsonObject } from "../resource/json-value.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";
import { defaultScimLimits, maxListIndex, type ScimLimits } from "../limits/scim-limits.js";

export type SortOrder = "ascending" | "descending";

/** A list request, from query parameters (RFC 7644 §3.4.2) or a SearchRequest body (§3.4.3). */
export interface ListQuery {
  /** Resolved against the resource type: canonical names, validated. */
  filter?: Filter;
  startIndex: number;
  count: number;
  sortBy?: AttributePath;
  sortOrder: SortOrder;
  attributes?: AttributePath[];
  excludedAttributes?: AttributePath[];
}

export interface PagingLimits {
  /** The page size when the client names none. */
  defaultCount: number;
  /** The largest page; a larger count is capped to it (advertised as filter.maxResults). */
  maxCount: number;
}

/** Each parameter as the client sent it; undefined where it sent none. */
interface RawListQuery {
  filter: string | undefined;
  startIndex: number | string | undefined;
  count: number | string | undefined;
  sortBy: string | undefined;
  sortOrder: string | undefined;
  attributes: string | undefined;
  excludedAttributes: string | undefined;
}

function integer(name: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  throw ScimError.of("invalidValue", `${name} must be an integer, not ${JSON.stringify(value)}`);
}

/** Clamped to 1…2^31−1 (0… for count), so no index or count can overflow a 64-bit field on its way to the store. */
function clampIndex(value: number, min: number): number {
  return Math.min(Math.max(min, value), maxListIndex);
}

function parseListQueryFields(
  raw: RawListQuery,
  resourceType: ResourceTypeDefinition,
  limits: PagingLimits,
  scimLimits: ScimLimits,
): ListQuery {
  const startIndex = integer("startIndex", raw.startIndex);
  const count = integer("count", raw.count);
  const sortOrder = raw.sortOrder?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== "ascending" && sortOrder !== "descending") {
    throw ScimError.of("invalidValue", `sortOrder must be "ascending" or "descending", not ${JSON.stringify(raw.sortOrder)}`);
  }
  if (raw.attributes !== undefined && raw.excludedAttributes !== undefined) {
    // RFC 7644 §3.4.2.5 gives the two as alternatives ("attributes" OR "excludedAttributes").
    throw ScimError.of("invalidValue", "attributes and excludedAttributes cannot be used together");
  }
  return {
    ...(raw.filter !== undefined
      ? { filter: resolveFilter(parseFilter(raw.filter, scimLimits), resourceType, "invalidFilter", scimLimits) }
      : {}),
    // §3.4.2.4: a startIndex below 1 is 1; a negative count is 0; a count above the maximum is
    // capped. A startIndex beyond any result (up to 10^300 in a SearchRequest) is an empty page
    // with the true totalResults, as §3.4.2.4 answers any startIndex past the end.
    startIndex: clampIndex(startIndex ?? 1, 1),
    count: Math.min(clampIndex(count ?? limits.defaultCount, 0), limits.maxCount),
    ...(raw.sortBy !== undefined
      ? {
          sortBy: resolveSortBy(parseAttributeList(raw.sortBy, resourceType)[0] ?? unknownSortBy(raw.sortBy), resourceType).path,
        }
      : {}),
    sortOrder: sortOrder ?? "ascending",
    ...(raw.attributes !== undefined ? { attributes: parseAttributeList(raw.attributes, resourceType) } : {}),
    ...(raw.excludedAttributes !== undefined ? { excludedAttributes: parseAttributeList(raw.excludedAttributes, resourceType) } : {}),
  };
}

function unknownSortBy(text: string): never {
  throw ScimError.of("invalidValue", `sortBy names no attribute of this resource: ${JSON.stringify(text)}`);
}

/** The list parameters of a GET's query string (RFC 7644 §3.4.2); names are case-sensitive there. */
export function parseListQuery(
  query: Readonly<Record<string, string | readonly string[] | undefined>>,
  resourceType: ResourceTypeDefinition,
  limits: PagingLimits,
  scimLimits: ScimLimits = defaultScimLimits,
): ListQuery {
  const single = (name: string): string | undefined => {
    const value = query[name];
    return typeof value === "string" ? value : value?.[0];
  };
  return parseListQueryFields(
    {
      filter: single("filter"),
      startIndex: single("startIndex"),
      count: single("count"),
      sortBy: single("sortBy"),
      sortOrder: single("sortOrder"),
      attributes: single("attributes"),
      excludedAttributes: single("excludedAttributes"),
    },
    resourceType,
    limits,
    scimLimits,
  );
}

function listOfNames(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(",");
  throw ScimError.of("invalidValue", `${name} must be an array of attribute names`);
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  throw ScimError.of("invalidValue", `${name} must be a string`);
}

function optionalNumber(name: string, value: unknown): number | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "string") return value;
  throw ScimError.of("invalidValue", `${name} must be an integer`);
}

/** A SearchRequest body of POST /.search (RFC 7644 §3.4.3): the same parameters as JSON. */
export function parseSearchRequest(
  body: unknown,
  resourceType: ResourceTypeDefinition,
  limits: PagingLimits,
  scimLimits: ScimLimits = defaultScimLimits,
): ListQuery {
  if (!isJsonObject(body)) throw ScimError.of("invalidSyntax", "a SearchRequest body must be a JSON object");
  const field = (name: string): unknown => Object.entries(body).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const schemas = field("schemas");
  if (!Array.isArray(schemas) || !schemas.includes(urn.searchRequest)) {
    throw ScimError.of("invalidSyntax", `a SearchRequest must list "${urn.searchRequest}" in schemas`);
  }
  return parseListQueryFields(
    {
      filter: optionalString("filter", field("filter")),
      startIndex: optionalNumber("startIndex", field("startIndex")),
      count: optionalNumber("count", field("count")),
      sortBy: optionalString("sortBy", field("sortBy")),
      sortOrder: optionalString("sortOrder", field("sortOrder")),
      attributes: listOfNames("attributes", field("attributes")),
      excludedAttributes: listOfNames("excludedAttributes", field("excludedAttributes")),
    },
    resourceType,
    limits,
    scimLimits,
  );
}
