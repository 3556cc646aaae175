import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { checkString, type StringKind } from "./check-string.js";
import { defaultScimLimits } from "./scim-limits.js";

/** value, kind -> undefined (accepted) or a fragment of the 400 invalidValue detail. */
const rows: Array<[string, string, StringKind, string | undefined]> = [
  ["plain identifier", "ada@example.com", "identifier", undefined],
  ["non-Latin identifier", "zoë.ǅ@例え.jp", "identifier", undefined],
  ["a surrogate pair is well-formed", "ada😀", "identifier", undefined],
  ["lone high surrogate", "ada\ud800", "identifier", "not well-formed Unicode"],
  ["lone low surrogate", "\udc00ada", "text", "not well-formed Unicode"],
  ["NUL", "ada\u0000", "identifier", "control character U+0000"],
  ["CR", "ada\r", "identifier", "control character U+000D"],
  ["LF in text", "line\nline", "text", "control character U+000A"],
  ["C1 control", "ada\u0085", "name", "control character U+0085"],
  ["DEL", "ada\u007f", "text", "control character U+007F"],
  ["LF in a multi-line value (RFC 7643 §4.1.2)", "100 Universal City Plaza\nHollywood, CA 91608", "multiLine", undefined],
  ["CRLF and tab in a multi-line value", "a\r\n\tb", "multiLine", undefined],
  ["NUL even in a multi-line value", "a\u0000", "multiLine", "control character U+0000"],
  ["bidi override in an identifier", "ad\u202emin", "identifier", "invisible character U+202E"],
  ["bidi isolate in an identifier", "ad\u2066min", "identifier", "invisible character U+2066"],
  ["zero-width space in an identifier", "ad\u200bmin", "identifier", "invisible character U+200B"],
  ["word joiner in an identifier", "ad\u2060min", "identifier", "invisible character U+2060"],
  ["BOM in an identifier", "\ufeffadmin", "identifier", "invisible character U+FEFF"],
  ["ZWNJ in a display name (Persian)", "می\u200cخواهم", "name", undefined],
  ["RLM in a display name", "\u200fשלום", "name", undefined],
  ["identifier at the limit", "a".repeat(256), "identifier", undefined],
  ["identifier over the limit", "a".repeat(257), "identifier", "257 characters long; at most 256"],
  ["name over the limit", "a".repeat(257), "name", "at most 256"],
  ["text at the limit", "a".repeat(4096), "text", undefined],
  ["text over the limit", "a".repeat(4097), "text", "at most 4096"],
  ["1 MB identifier fails on length first", "\u0000".repeat(1_000_000), "identifier", "1000000 characters long"],
];

for (const [name, value, kind, expected] of rows) {
  test(`${kind}: ${name} -> ${expected === undefined ? "accepted" : "400 invalidValue"}`, () => {
    const check = () => checkString(value, "userName", kind, defaultScimLimits);
    if (expected === undefined) return check();
    assert.throws(check, (error: unknown) => {
      assert.ok(error instanceof ScimError);
      assert.equal(error.scimType, "invalidValue");
      assert.match(error.detail, /^userName /);
      assert.ok(error.detail.includes(expected), error.detail);
      return true;
    });
  });
}
