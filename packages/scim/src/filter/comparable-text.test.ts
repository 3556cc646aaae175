import { test } from "node:test";
import assert from "node:assert/strict";
import { toComparableText } from "./comparable-text.js";

test("toComparableText folds case unless caseExact", () => {
  assert.equal(toComparableText("BJensen@Example.COM", false), "bjensen@example.com");
  assert.equal(toComparableText("BJensen", true), "BJensen");
});

test("toComparableText normalises to NFC so composed and decomposed forms compare equal", () => {
  assert.equal(toComparableText("e\u0301", true), toComparableText("\u00e9", true));
  assert.equal(toComparableText("E\u0301", false), "\u00e9");
});
