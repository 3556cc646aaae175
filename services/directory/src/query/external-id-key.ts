import { toComparableText } from "@scimgw/scim";

/**
 * The form the external_id columns hold an externalId in: Unicode NFC (externalId is caseExact,
 * RFC 7643 §3.1, so nothing is folded). Filters compare caseExact strings in NFC, in memory and in
 * SQL alike (toComparableText), so the column must hold NFC too, or `externalId eq "é"` would find
 * a decomposed "é" in memory and not in the store (found by the filter fuzzer). The resource
 * document keeps the value exactly as the IdP sent it; the column is only for lookups.
 */
export function externalIdKey(externalId: string): string {
  return toComparableText(externalId, true);
}
