/**
 * The form a string takes before it is compared: Unicode NFC, and case-folded unless the attribute
 * is caseExact (RFC 7644 §3.4.2.2: string comparisons follow "caseExact", RFC 7643 §2.2). The
 * directory should build its case-insensitive keys with this same function, so that a filter run in
 * memory and one run in the database agree.
 */
export function toComparableText(text: string, caseExact: boolean): string {
  const normalized = text.normalize("NFC");
  // Upper-then-lower folds what lower-casing alone misses: "ß" and "SS" become one ("ss").
  return caseExact ? normalized : normalized.toUpperCase().toLowerCase();
}
