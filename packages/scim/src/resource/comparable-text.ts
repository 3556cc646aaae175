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

/**
 * Orders two strings by Unicode code point, as SQL does (SQLite compares UTF-8 bytes, PostgreSQL
 * `COLLATE "C"` too), so that gt/ge/lt/le answer alike in memory and in the directory. JavaScript's
 * `<` compares UTF-16 code units, which puts U+10000 and above (surrogates) before U+E000-U+FFFF.
 */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a !== b) return codePointRank(a) - codePointRank(b);
  }
  return left.length - right.length;
}

/** Moves surrogates (D800-DFFF) above E000-FFFF, which makes code-unit order code-point order. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
