import { toComparableText } from "@scimgw/scim";

/**
 * The key under which a userName is unique: userName is caseExact false (RFC 7643 §4.1.1), so
 * "Alice@Example.com" and "alice@example.com" are one user. Folding happens in TypeScript, with
 * the SCIM core's own comparison rule: SQLite's NOCASE folds only ASCII and PostgreSQL's lower()
 * depends on the collation, so neither store may be trusted to fold.
 */
export function userNameKey(userName: string): string {
  return toComparableText(userName, false);
}
