/**
 * SCIM's sortOrder as the compilers read it (RFC 7644 §3.4.2.3). Not the proto's SortOrder: that
 * one has an UNSPECIFIED value, which list-paging.ts reads as ascending once, at the edge.
 */
export type SortDirection = "ascending" | "descending";
