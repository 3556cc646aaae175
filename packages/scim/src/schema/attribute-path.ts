/**
 * An attribute reference, `[schemaUrn:]attribute[.subAttribute]` (RFC 7644 §3.10): what filters,
 * PATCH paths, `attributes`, `sortBy` and projections all name attributes with.
 */
export interface AttributePath {
  /** The schema URN when the reference named it (`urn:...:User:userName`); undefined otherwise. */
  readonly schema?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}
