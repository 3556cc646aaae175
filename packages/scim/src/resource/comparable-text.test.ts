import { test } from "node:test";
import assert from "node:assert/strict";
import { compareCodePoints, toComparableText } from "./comparable-text.js";

test("toComparableText folds case unless caseExact", () => {
  assert.equal(toComparableText("BJensen@Example.COM", false), "bjensen@example.com");
  assert.equal(toComparableText("BJensen", true), "BJensen");
});

test("toComparableText normalises to NFC so composed and decomposed forms compare equal", () => {
  assert.equal(toComparableText("e\u0301", true), toComparableText("\u00e9", true));
  assert.equal(toComparableText("E\u0301", false), "\u00e9");
});

test("compareCodePoints orders astral characters after U+E000-U+FFFF", () => {
  assert.ok(compareCodePoints("\u{1D518}", "\uFFFD") > 0);
  assert.ok(compareCodePoints("\uE000", "\uD7FF") > 0);
  assert.ok(compareCodePoints("ab", "abc") < 0);
  assert.equal(compareCodePoints("é", "é"), 0);
});
