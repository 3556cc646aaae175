import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { userResourceType } from "../schema/resource-types.js";
import type { Filter } from "./filter-ast.js";
import { parseFilter } from "./parse-filter.js";
import { resolveFilter } from "./resolve-filter.js";

const terms = (n: number, joiner = "or") => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(` ${joiner} `);

/** filter text -> undefined (parsed) or the invalidFilter detail. */
const rows: Array<[string, string, RegExp | undefined]> = [
  ["50 or terms", terms(50), undefined],
  ["200 comparisons", terms(200, "and"), undefined],
  ["201 comparisons", terms(201), /more than 200 comparisons/],
  ["10,000 terms", terms(10_000), /more than 200 comparisons/],
  // The parser stops reading at the limit: the broken string after it is never lexed.
  ["the text past the limit is not read", `${terms(201)} or userName eq "unterminated`, /more than 200 comparisons/],
  ["pr counts as a comparison", `${terms(200)} or title pr`, /more than 200 comparisons/],
  ["comparisons inside value paths count", `emails[${terms(150).replaceAll("userName", "value")}] or ${terms(51)}`, /more than 200/],
  ["nesting of 32 levels", `${"not (".repeat(32)}userName pr${")".repeat(32)}`, undefined],
  ["nesting of 33 levels", `${"(".repeat(33)}userName pr${")".repeat(33)}`, /nests deeper than 32/],
  ["a NUL in a value", 'userName eq "a\\u0000"', /control character or a lone surrogate/],
  ["a lone surrogate in a value", 'userName eq "a\\ud800"', /control character or a lone surrogate/],
];

for (const [name, text, expected] of rows) {
  test(`parseFilter: ${name} -> ${expected === undefined ? "parsed" : "400 invalidFilter"}`, () => {
    if (expected === undefined) return void parseFilter(text);
    assert.throws(
      () => parseFilter(text),
      (error: unknown) => error instanceof ScimError && error.scimType === "invalidFilter" && expected.test(error.detail),
    );
  });
}

test("resolveFilter counts the comparisons of a tree built without text (a gRPC caller's), without recursing", () => {
  let filter: Filter = { kind: "present", path: { attribute: "userName" } };
  for (let i = 0; i < 100_000; i++) filter = { kind: "or", left: filter, right: { kind: "present", path: { attribute: "title" } } };
  assert.throws(
    () => resolveFilter(filter, userResourceType),
    (error: unknown) => error instanceof ScimError && error.scimType === "invalidFilter" && /more than 200/.test(error.detail),
  );
});
