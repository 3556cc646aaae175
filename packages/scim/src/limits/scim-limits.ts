/**
 * What one request may ask of the server. RFC 7644 leaves these to the service provider (§3.4.2.4
 * lets it cap a page, §3.12 has 413 for "one or more of the limits for this request"); without
 * them one tenant's request can hold the shared writer or break pages for ever (issue 11).
 *
 * Every value is far above what Okta and Entra send. The gateway applies them at the edge and the
 * directory applies the same defaults to gRPC callers, so a setting can only tighten them.
 */
export interface ScimLimits {
  /** Operations in one PATCH request (RFC 7644 §3.5.2). Okta and Entra send a handful. */
  readonly maxPatchOperations: number;
  /**
   * Member values one group PATCH may name, over all its operations: a PATCH adding 10,000
   * members is the documented batch size (README, `pnpm bench:groups`), and each becomes a row
   * written in the shared writer's transaction.
   */
  readonly maxPatchMemberValues: number;
  /** Members in a full member list (group POST or PUT): the size `pnpm bench:groups` provisions. */
  readonly maxMembers: number;
  /**
   * Comparisons (`attr op value`, `attr pr`) in one filter or PATCH path filter. Real filters
   * have one to a few; each is a SQL condition, and 200 keeps the tree far from protobuf's
   * 100-level recursion limit once balanced.
   */
  readonly maxFilterComparisons: number;
  /** Values of one multi-valued attribute other than members (emails, roles, entitlements...). */
  readonly maxMultiValuedElements: number;
  /**
   * Characters (UTF-16 code units) of an identifying attribute: userName, externalId and
   * displayName. 256 holds any e-mail address (RFC 5321 allows 254) and Entra's 256-character
   * display names, and keeps an indexed key (at most 4 bytes per character in UTF-8) well under
   * PostgreSQL's btree entry limit of about 2,700 bytes.
   */
  readonly maxIdentifierLength: number;
  /** Characters of any other string attribute (titles, addresses, URLs, certificates). */
  readonly maxStringLength: number;
  /**
   * Bytes of a resource's client-written attributes as UTF-8 JSON (members and server-computed
   * readOnly attributes such as `groups` and `meta` aside). A page is maxResults resources, and
   * every page must fit the gRPC message limit (`maxDirectoryMessageBytes`).
   */
  readonly maxResourceBytes: number;
}

export const defaultScimLimits: ScimLimits = {
  maxPatchOperations: 1000,
  maxPatchMemberValues: 10_000,
  maxMembers: 100_000,
  maxFilterComparisons: 200,
  maxMultiValuedElements: 200,
  maxIdentifierLength: 256,
  maxStringLength: 4096,
  maxResourceBytes: 64 * 1024,
};

/**
 * The largest `startIndex` and `count` the server reads (2^31 − 1, a 32-bit signed integer): RFC
 * 7644 §3.4.2.4 gives them no bound, but a larger one can only ask past the end of any result.
 */
export const maxListIndex = 2 ** 31 - 1;
