import type { ScimError } from "../errors/scim-error.js";

/**
 * A lexical token of a filter or PATCH path (RFC 7644 §3.4.2.2, §3.5.2). Words are runs of
 * anything but whitespace, brackets, parentheses and quotes: attribute paths, operators, keywords,
 * and unquoted values. The parser decides which a word is from where it stands.
 */
export type Token =
  | { readonly kind: "word"; readonly text: string; readonly position: number }
  | { readonly kind: "string"; readonly text: string; readonly value: string; readonly position: number }
  | { readonly kind: "(" | ")" | "[" | "]" | "end"; readonly text: string; readonly position: number };

const punctuation = new Set(["(", ")", "[", "]"]);

/** Splits `text` into tokens; positions are 0-based character offsets. `fail` builds the error to throw. */
export function tokenize(text: string, fail: (detail: string) => ScimError): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (/\s/.test(char)) {
      index += 1;
    } else if (punctuation.has(char)) {
      tokens.push({ kind: char as "(" | ")" | "[" | "]", text: char, position: index });
      index += 1;
    } else if (char === '"') {
      const token = readString(text, index, fail);
      tokens.push(token);
      index += token.text.length;
    } else {
      const start = index;
      while (index < text.length && !isWordBoundary(text[index] as string)) index += 1;
      tokens.push({ kind: "word", text: text.slice(start, index), position: start });
    }
  }
  tokens.push({ kind: "end", text: "", position: text.length });
  return tokens;
}

function isWordBoundary(char: string): boolean {
  return /\s/.test(char) || punctuation.has(char) || char === '"';
}

/** A JSON string literal (RFC 7159 §7), escapes included, as compValue requires. */
function readString(text: string, start: number, fail: (detail: string) => ScimError): Token {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === "\\" ? 2 : 1;
  }
  if (index >= text.length) throw fail(`unterminated string starting at position ${start}`);
  const raw = text.slice(start, index + 1);
  try {
    return { kind: "string", text: raw, value: JSON.parse(raw) as string, position: start };
  } catch {
    throw fail(`invalid escape in the string starting at position ${start}: ${raw}`);
  }
}
