import { test } from "node:test";
import assert from "node:assert/strict";
import { urn } from "../schema/urns.js";
import { userResourceType } from "../schema/resource-types.js";
import { parseListQuery, parseSearchRequest } from "./list-query.js";

const paging = { defaultCount: 100, maxCount: 1000 };
const max = 2 ** 31 - 1;

/** query startIndex/count -> the clamped values (RFC 7644 §3.4.2.4): never more than 2^31 − 1. */
const rows: Array<[string, string, number, number]> = [
  ["99999999999999999999", "10", max, 10],
  [String(2n ** 63n - 1n), "10", max, 10],
  [String(2 ** 31), "10", max, 10],
  ["1", "99999999999999999999", 1, 1000],
  ["-99999999999999999999", "-99999999999999999999", 1, 0],
];

for (const [startIndex, count, expectedStart, expectedCount] of rows) {
  test(`query startIndex=${startIndex.slice(0, 24)} count=${count.slice(0, 24)} -> ${expectedStart}, ${expectedCount}`, () => {
    const query = parseListQuery({ startIndex, count }, userResourceType, paging);
    assert.equal(query.startIndex, expectedStart);
    assert.equal(query.count, expectedCount);
  });
}

test("a SearchRequest's startIndex 1e300 and count 1e300 are clamped too", () => {
  const query = parseSearchRequest({ schemas: [urn.searchRequest], startIndex: 1e300, count: 1e300 }, userResourceType, paging);
  assert.equal(query.startIndex, max);
  assert.equal(query.count, 1000);
});
