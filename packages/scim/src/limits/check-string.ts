import { ScimError } from "../errors/scim-error.js";
import type { ScimLimits } from "./scim-limits.js";

/**
 * How strictly a string attribute is checked:
 * - `identifier`: what matches and identifies a resource (userName, externalId, a group's
 *   displayName). Invisible characters would let two names that look the same be different
 *   resources, so bidi controls and zero-width characters are refused too.
 * - `name`: short display text, where bidi marks and joiners are legitimate (Arabic, Persian and
 *   Indic names use them).
 * - `multiLine`: text RFC 7643 §4.1.2 allows newlines in (`addresses.formatted`): tab, CR and LF.
 * - `text`: any other string.
 */
export type StringKind = "identifier" | "name" | "multiLine" | "text";

/** C0 and C1 control characters and DEL: never part of a name, and NUL cannot be stored in PostgreSQL text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's purpose.
const control = /[\u0000-\u001f\u007f-\u009f]/u;
/** The same, less tab, LF and CR. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's purpose.
const controlButLineBreaks = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/**
 * Bidi marks, embeddings, overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E,
 * U+2066–U+2069) and zero-width characters (U+200B–U+200D, U+2060, U+FEFF): invisible, so
 * `admin` and `ad\u200Bmin` would look like one userName (Unicode TR 36 §2, spoofing).
 */
const invisible = /[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u;
/**
 * A lone surrogate: with the `u` flag a pair is one code point, so only unpaired halves match.
 * The same test as ES2024's String.prototype.isWellFormed, which our ES2023 lib does not declare.
 */
const loneSurrogate = /\p{Cs}/u;

/**
 * Refuses a string a client may not store, with a 400 invalidValue naming the attribute (`path`).
 * Lone surrogates are refused rather than rewritten to U+FFFD: a rewrite would make two different
 * names one (RFC 7643 §2.3.1 strings are Unicode; JSON text must be well-formed, RFC 8259 §8.2).
 */
export function checkString(value: string, path: string, kind: StringKind, limits: ScimLimits): void {
  const max = kind === "identifier" || kind === "name" ? limits.maxIdentifierLength : limits.maxStringLength;
  if (value.length > max) {
    throw ScimError.of("invalidValue", `${path} is ${value.length} characters long; at most ${max} are allowed`);
  }
  if (loneSurrogate.test(value)) {
    throw ScimError.of("invalidValue", `${path} is not well-formed Unicode (it holds a lone surrogate)`);
  }
  const bad = (kind === "multiLine" ? controlButLineBreaks : control).exec(value);
  if (bad !== null) {
    throw ScimError.of("invalidValue", `${path} contains the control character ${codePoint(bad[0])} at index ${bad.index}`);
  }
  if (kind !== "identifier") return;
  const hidden = invisible.exec(value);
  if (hidden !== null) {
    throw ScimError.of(
      "invalidValue",
      `${path} contains the invisible character ${codePoint(hidden[0])} at index ${hidden.index} (bidi controls and zero-width characters are not allowed in identifiers)`,
    );
  }
}

/** Whether a filter literal or other short text holds nothing checkString would refuse as text. */
export function isStorableText(value: string): boolean {
  return !loneSurrogate.test(value) && !control.test(value);
}

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
