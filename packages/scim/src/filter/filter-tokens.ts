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

/**
 * The tokens of `text`, read one at a time as the parser asks for them, so that a parser which
 * gives up early (a filter past its comparison limit) never pays for the rest of a huge input.
 * Positions are 0-based character offsets; `fail` builds the error to throw.
 */
export class TokenStream {
  private index = 0;
  private lookahead: Token | undefined;

  constructor(
    private readonly text: string,
    private readonly fail: (detail: string) => ScimError,
  ) {}

  /** The next token without consuming it; at the end, the `end` token for ever. */
  peek(): Token {
    this.lookahead ??= this.read();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.lookahead = undefined;
    return token;
  }

  private read(): Token {
    const text = this.text;
    while (this.index < text.length && isSpace(text.charCodeAt(this.index))) this.index += 1;
    const start = this.index;
    if (start >= text.length) return { kind: "end", text: "", position: text.length };
    const char = text[start] as string;
    if (char === "(" || char === ")" || char === "[" || char === "]") {
      this.index += 1;
      return { kind: char, text: char, position: start };
    }
    if (char === '"') {
      const token = readString(text, start, this.fail);
      this.index += token.text.length;
      return token;
    }
    while (this.index < text.length && !isWordBoundary(text.charCodeAt(this.index))) this.index += 1;
    return { kind: "word", text: text.slice(start, this.index), position: start };
  }
}

/** Every token of `text`, `end` included. */
export function tokenize(text: string, fail: (detail: string) => ScimError): Token[] {
  const stream = new TokenStream(text, fail);
  const tokens: Token[] = [];
  for (let token = stream.next(); ; token = stream.next()) {
    tokens.push(token);
    if (token.kind === "end") return tokens;
  }
}

const whitespace = /\s/;

/** What `\s` matches, with the ASCII cases decided without a regular expression (this runs per character). */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && whitespace.test(String.fromCharCode(code)));
}

function isWordBoundary(code: number): boolean {
  // ( ) [ ] "
  return code === 40 || code === 41 || code === 91 || code === 93 || code === 34 || isSpace(code);
}

/** A JSON string literal (RFC 7159 §7), escapes included, as compValue requires. */
function readString(text: string, start: number, fail: (detail: string) => ScimError): Token {
  let index = start + 1;
  while (index < text.length && text.charCodeAt(index) !== 34) {
    index += text.charCodeAt(index) === 92 ? 2 : 1;
  }
  if (index >= text.length) throw fail(`unterminated string starting at position ${start}`);
  const raw = text.slice(start, index + 1);
  try {
    return { kind: "string", text: raw, value: JSON.parse(raw) as string, position: start };
  } catch {
    throw fail(`invalid escape in the string starting at position ${start}: ${raw}`);
  }
}
