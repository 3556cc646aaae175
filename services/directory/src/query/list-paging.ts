import { SortOrder, type AttributePath as AttributePathMessage } from "@scimgw/proto";
import { maxListIndex, type AttributePath } from "@scimgw/scim";
import { attributePathFromProto } from "@scimgw/scim-proto";
import { invalidArgument } from "../errors/directory-errors.js";
import type { KeysetColumn, KeysetPosition } from "./keyset.js";
import { decodePageToken, encodePageToken, queryFingerprint } from "./page-token.js";
import type { SortDirection } from "./sort-direction.js";

/** The default and largest page a caller gets when it asks for none or for too many. */
export const maxPageSize = 1000;

/** A cursor page when the caller names no count: count 0 means "only the total" in offset paging, not here. */
export const defaultCursorPageSize = 100;

/** How a ListUsers or ListGroups request pages. */
export type ListPaging =
  | { kind: "offset"; startIndex: number; count: number }
  | { kind: "cursor"; pageToken: string; count: number; includeTotal: boolean };

/** sort_by and sort_order as the SCIM core reads them; an unset sort_order is ascending, the RFC's default. */
export function sortOf(request: {
  sortBy?: AttributePathMessage | undefined;
  sortOrder: SortOrder;
}): { by: AttributePath; order: SortDirection } | undefined {
  if (request.sortBy === undefined) return undefined;
  return { by: attributePathFromProto(request.sortBy), order: request.sortOrder === SortOrder.DESCENDING ? "descending" : "ascending" };
}

interface PagingFields {
  startIndex?: bigint;
  count: number;
  pageToken?: string;
  includeTotalResults?: boolean;
}

/**
 * Offset paging when start_index is set (SCIM's, exactly as the gateway has always sent it);
 * cursor paging when it is 0, proto3's unset. Negative start_index keeps its old meaning of 1;
 * one past 2^31 - 1 is read as 2^31 - 1, as the SCIM core reads it, never as an overflowing OFFSET.
 * Counts above the maximum are capped in both modes, as SCIM caps them (RFC 7644 §3.4.2.4).
 */
export function listPagingOf(request: PagingFields): ListPaging {
  // Plain objects from in-process callers may lack fields proto3 would default.
  const pageToken = request.pageToken ?? "";
  if ((request.startIndex ?? 0n) !== 0n) {
    if (pageToken !== "")
      throw invalidArgument("page_token and start_index exclude each other: start_index pages by offset, page_token by cursor");
    return {
      kind: "offset",
      // As SCIM reads it (RFC 7644 §3.4.2.4 sets no bound): past 2^31 - 1 is past the end of any result.
      startIndex: Math.min(Math.max(1, Number(request.startIndex)), maxListIndex),
      count: Math.min(Math.max(0, request.count), maxPageSize),
    };
  }
  const count = request.count <= 0 ? defaultCursorPageSize : Math.min(request.count, maxPageSize);
  return { kind: "cursor", pageToken, count, includeTotal: request.includeTotalResults === true };
}

/** One cursor page as a store reads it: the rows, where the next page starts, and the total if asked. */
export interface KeysetPage<T> {
  items: T[];
  next: KeysetPosition | undefined;
  totalResults: number | undefined;
}

/**
 * Runs one cursor page of a listing: checks the token belongs to this query, reads the page after
 * its position, and issues the token of the next page (none after the last).
 */
export async function pageByCursor<T>(
  query: { resource: string; tenantId: string; filter: unknown; keyset: readonly KeysetColumn[] },
  paging: Extract<ListPaging, { kind: "cursor" }>,
  read: (after: KeysetPosition | undefined) => Promise<KeysetPage<T>>,
): Promise<{ items: T[]; nextPageToken: string; totalResults: bigint }> {
  const fingerprint = queryFingerprint(query);
  const after = paging.pageToken === "" ? undefined : decodePageToken(paging.pageToken, fingerprint, query.keyset);
  const page = await read(after);
  return {
    items: page.items,
    nextPageToken: page.next === undefined ? "" : encodePageToken(fingerprint, page.next),
    totalResults: BigInt(page.totalResults ?? 0),
  };
}
