import { test } from "node:test";
import assert from "node:assert/strict";
import { listResponse } from "./list-response.js";

test("a complete list: totalResults is its length, startIndex 1", () => {
  assert.deepEqual(listResponse([{ id: "a" }, { id: "b" }]), {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    totalResults: 2,
    itemsPerPage: 2,
    startIndex: 1,
    Resources: [{ id: "a" }, { id: "b" }],
  });
});

test("an empty list still has every member (RFC 7644 §3.4.2; Okta reads them)", () => {
  assert.deepEqual(listResponse([]), {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    totalResults: 0,
    itemsPerPage: 0,
    startIndex: 1,
    Resources: [],
  });
});

test("a page of a longer result keeps the caller's totalResults and startIndex", () => {
  const page = listResponse([{ id: "c" }], { totalResults: 3, startIndex: 3 });
  assert.equal(page["totalResults"], 3);
  assert.equal(page["itemsPerPage"], 1);
  assert.equal(page["startIndex"], 3);
});
