import { SortOrder, type AttributePath as AttributePathMessage } from "@scimgw/proto";
import { maxListIndex, type AttributePath } from "@scimgw/scim";
import { attributePathFromProto } from "@scimgw/scim-proto";
import { invalidArgument } from "../errors/directory-errors.js";
import type { KeysetColumn, KeysetPosition } from "./keyset.js";
import type { OffsetPositions } from "./offset-positions.js";
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
  /** The tenant's last_change_seq read with the rows (changeSequenceColumn); undefined for an empty page. */
  changeSeq: string | undefined;
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

/** One offset page as a store reads it with OFFSET: the rows, the last row's position, and the window total. */
export interface OffsetPage<T> {
  items: T[];
  /** The last row's keyset position; undefined for an empty page or a listing without a keyset. */
  last: KeysetPosition | undefined;
  totalResults: number;
  /** The tenant's last_change_seq read with the rows (changeSequenceColumn); undefined for an empty page or an unknown tenant. */
  changeSeq: string | undefined;
}

/** What a store supplies to serve SCIM offset pages, by OFFSET or from a remembered position. */
export interface OffsetReads<T> {
  positions: OffsetPositions;
  /** The page at startIndex by OFFSET, its total from the same query. */
  byOffset(): Promise<OffsetPage<T>>;
  /** `count` rows after a position in keyset order; `next` is set when more follow (listAfter without a total). */
  after(position: KeysetPosition): Promise<KeysetPage<T>>;
  /** Every match, counted. */
  countAll(): Promise<number>;
}

/**
 * One SCIM offset page (RFC 7644 §3.4.2.4). A page whose startIndex continues a walk this
 * process served (see offset-positions.ts) seeks from the remembered position, in the order OFFSET
 * would read, so every page of an import costs what the first does; any other startIndex (the
 * first page, a jump, a retry after eviction, another replica's walk) pages by OFFSET as before.
 * `keyset` is undefined for sorts cursor paging cannot seek on (a user's document attributes):
 * those always page by OFFSET.
 */
/**
 * The total of an offset listing, from the page itself where it tells: a page that ended before
 * `count` rows is the end of the listing (unless it is empty past the first index), so the total
 * is where it ended, and a lookup such as Okta's `userName eq` costs its one query. Otherwise the
 * matching rows are counted. A separate count rather than `count(*) over ()` in the page's query:
 * the window made SQLite and PostgreSQL read every matching row, whole, before the LIMIT (1.5 s
 * for the first page of 200,000 users on SQLite, against about 90 ms for the count alone).
 */
export async function totalOfOffsetPage(
  paging: { startIndex: number; count: number },
  returned: number,
  countAll: () => Promise<number>,
): Promise<number> {
  if (returned < paging.count && (returned > 0 || paging.startIndex === 1)) return paging.startIndex - 1 + returned;
  return countAll();
}

export async function pageByOffset<T>(
  query: { resource: string; tenantId: string; filter: unknown; keyset: readonly KeysetColumn[] | undefined },
  paging: { startIndex: number; count: number },
  reads: OffsetReads<T>,
): Promise<{ items: T[]; totalResults: number }> {
  const { keyset } = query;
  if (keyset === undefined) {
    reads.positions.count("miss");
    const page = await reads.byOffset();
    return { items: page.items, totalResults: page.totalResults };
  }
  const fingerprint = queryFingerprint({ ...query, keyset });
  const remembered = reads.positions.recall(query.tenantId, fingerprint, paging.startIndex);
  let items: T[];
  let totalResults: number;
  let next: KeysetPosition | undefined;
  // The sequence is read with the page, before any count of the total, so a write committing
  // meanwhile makes the remembered total look stale, never fresh. An empty page reads none: it
  // is counted, and it remembers nothing.
  let changeSeq: string | undefined;
  if (remembered !== undefined) {
    reads.positions.count("hit");
    const page = await reads.after(remembered.position);
    items = page.items;
    next = page.next;
    changeSeq = page.changeSeq;
    totalResults = changeSeq !== undefined && remembered.changeSeq === changeSeq ? remembered.totalResults : await reads.countAll();
  } else {
    reads.positions.count("miss");
    const page = await reads.byOffset();
    items = page.items;
    totalResults = page.totalResults;
    changeSeq = page.changeSeq;
    next = items.length === paging.count && paging.startIndex - 1 + items.length < totalResults ? page.last : undefined;
  }
  // Without a sequence (no such tenant) nothing is remembered.
  if (next !== undefined && changeSeq !== undefined)
    reads.positions.remember(query.tenantId, fingerprint, paging.startIndex + items.length, { position: next, totalResults, changeSeq });
  return { items, totalResults };
}
