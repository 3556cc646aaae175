import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { tokenize } from "./filter-tokens.js";

const fail = (detail: string) => ScimError.of("invalidFilter", detail);

test("tokenize splits words, strings and brackets with 0-based positions", () => {
  const tokens = tokenize('emails[type eq "work"].value', fail);
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.text, t.position]),
    [
      ["word", "emails", 0],
      ["[", "[", 6],
      ["word", "type", 7],
      ["word", "eq", 12],
      ["string", '"work"', 15],
      ["]", "]", 21],
      ["word", ".value", 22],
      ["end", "", 28],
    ],
  );
});

test("tokenize decodes JSON escapes in strings", () => {
  const [token] = tokenize('"a \\"quoted\\" \\u00e9\\\\"', fail);
  assert.equal(token?.kind, "string");
  assert.equal(token?.kind === "string" ? token.value : undefined, 'a "quoted" é\\');
});

test("tokenize ends an unquoted word at a parenthesis", () => {
  const tokens = tokenize("(emails.Value co example.com)", fail);
  assert.deepEqual(
    tokens.map((t) => t.text),
    ["(", "emails.Value", "co", "example.com", ")", ""],
  );
});

test("tokenize rejects an unterminated string", () => {
  assert.throws(() => tokenize('userName eq "bjensen', fail), /unterminated string starting at position 12/);
});

test("tokenize rejects an invalid escape", () => {
  assert.throws(() => tokenize('"\\x"', fail), /invalid escape/);
});
