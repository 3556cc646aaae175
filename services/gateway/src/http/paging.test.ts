import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePaging } from "./paging.js";

const limits = { defaultCount: 100, maxCount: 1000 };
const cases: Array<[Record<string, string>, { startIndex: number; count: number }]> = [
  [{}, { startIndex: 1, count: 100 }],
  [{ startIndex: "1", count: "100" }, { startIndex: 1, count: 100 }],
  [{ startIndex: "0" }, { startIndex: 1, count: 100 }],
  [{ startIndex: "-7" }, { startIndex: 1, count: 100 }],
  [{ count: "0" }, { startIndex: 1, count: 0 }],
  [{ count: "-3" }, { startIndex: 1, count: 0 }],
  [{ count: "5000" }, { startIndex: 1, count: 1000 }],
  [{ startIndex: "101", count: "100" }, { startIndex: 101, count: 100 }],
];

for (const [query, expected] of cases) {
  test(`RFC 7644 §3.4.2.4 paging: ${JSON.stringify(query)}`, () => assert.deepEqual(parsePaging(query, limits), expected));
}

test("a non-integer startIndex or count is 400 invalidValue", () => {
  for (const query of [{ count: "ten" }, { startIndex: "1.5" }, { count: "" }]) {
    assert.throws(() => parsePaging(query, limits), (error: { status: number; scimType: string }) => error.status === 400 && error.scimType === "invalidValue");
  }
});
