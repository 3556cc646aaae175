import { test } from "node:test";
import assert from "node:assert/strict";
import { userResourceType } from "../schema/resource-types.js";
import { parseListQuery, parseSearchRequest } from "./list-query.js";

const limits = { defaultCount: 100, maxCount: 1000 };
const paging: Array<[Record<string, string>, { startIndex: number; count: number }]> = [
  [{}, { startIndex: 1, count: 100 }],
  [
    { startIndex: "1", count: "100" },
    { startIndex: 1, count: 100 },
  ],
  [{ startIndex: "0" }, { startIndex: 1, count: 100 }],
  [{ startIndex: "-7" }, { startIndex: 1, count: 100 }],
  [{ count: "0" }, { startIndex: 1, count: 0 }],
  [{ count: "-3" }, { startIndex: 1, count: 0 }],
  [{ count: "5000" }, { startIndex: 1, count: 1000 }],
  [
    { startIndex: "101", count: "100" },
    { startIndex: 101, count: 100 },
  ],
];

for (const [query, expected] of paging) {
  test(`rfc7644 3.4.2.4 paging: ${JSON.stringify(query)}`, () => {
    const parsed = parseListQuery(query, userResourceType, limits);
    assert.deepEqual({ startIndex: parsed.startIndex, count: parsed.count }, expected);
  });
}

test("a non-integer startIndex or count is 400 invalidValue", () => {
  for (const query of [{ count: "ten" }, { startIndex: "1.5" }, { count: "" }]) {
    assert.throws(
      () => parseListQuery(query, userResourceType, limits),
      (error: { status: number; scimType: string }) => error.status === 400 && error.scimType === "invalidValue",
    );
  }
});

test("rfc7644 3.4.2.3 sortBy resolves to the canonical attribute; sortOrder defaults to ascending", () => {
  const parsed = parseListQuery({ sortBy: "NAME.familyname", sortOrder: "Descending" }, userResourceType, limits);
  assert.deepEqual(parsed.sortBy, { attribute: "name", subAttribute: "familyName" });
  assert.equal(parsed.sortOrder, "descending");
  assert.equal(parseListQuery({ sortBy: "userName" }, userResourceType, limits).sortOrder, "ascending");
  assert.throws(() => parseListQuery({ sortBy: "shoeSize" }, userResourceType, limits), /sortBy/);
  assert.throws(() => parseListQuery({ sortOrder: "sideways" }, userResourceType, limits), /sortOrder/);
});

test("the filter is parsed and resolved; a bad one is invalidFilter", () => {
  assert.deepEqual(parseListQuery({ filter: 'USERNAME eq "x"' }, userResourceType, limits).filter, {
    kind: "compare",
    path: { attribute: "userName" },
    operator: "eq",
    value: "x",
  });
  assert.throws(
    () => parseListQuery({ filter: "userName eq" }, userResourceType, limits),
    (error: { scimType: string }) => error.scimType === "invalidFilter",
  );
});

test("rfc7644 3.4.3 a SearchRequest carries the same parameters as JSON", () => {
  const parsed = parseSearchRequest(
    {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      attributes: ["displayName", "userName"],
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: 10,
      sortBy: "userName",
    },
    userResourceType,
    limits,
  );
  assert.deepEqual(parsed.attributes, [{ attribute: "displayName" }, { attribute: "userName" }]);
  assert.equal(parsed.count, 10);
  assert.deepEqual(parsed.sortBy, { attribute: "userName" });
  assert.equal(parsed.filter?.kind, "compare");
});

test("a SearchRequest without its schema, or with badly typed fields, is refused", () => {
  assert.throws(
    () => parseSearchRequest({ filter: "userName pr" }, userResourceType, limits),
    (error: { scimType: string }) => error.scimType === "invalidSyntax",
  );
  assert.throws(
    () => parseSearchRequest("nope", userResourceType, limits),
    (error: { scimType: string }) => error.scimType === "invalidSyntax",
  );
  const schemas = ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"];
  assert.throws(() => parseSearchRequest({ schemas, count: true }, userResourceType, limits), /count/);
  assert.throws(() => parseSearchRequest({ schemas, attributes: [1] }, userResourceType, limits), /attributes/);
  assert.throws(
    () => parseSearchRequest({ schemas, attributes: ["userName"], excludedAttributes: ["emails"] }, userResourceType, limits),
    /together/,
  );
});
