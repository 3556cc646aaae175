import type { JsonObject } from "../resource/json-value.js";
import { urn } from "../schema/urns.js";

/** Where a page sits in the whole result: RFC 7644 §3.4.2's totalResults and 1-based startIndex. */
export interface ListPage {
  readonly totalResults: number;
  readonly startIndex: number;
}

/**
 * Wraps resources in a ListResponse (RFC 7644 §3.4.2). Without a page the list is complete:
 * totalResults is its length and startIndex 1. All four members are always written, even for an
 * empty list, because Okta's connector test reads itemsPerPage and startIndex on a zero-result query.
 */
export function listResponse(resources: readonly JsonObject[], page?: ListPage): JsonObject {
  return {
    schemas: [urn.listResponse],
    totalResults: page?.totalResults ?? resources.length,
    itemsPerPage: resources.length,
    startIndex: page?.startIndex ?? 1,
    Resources: [...resources],
  };
}
