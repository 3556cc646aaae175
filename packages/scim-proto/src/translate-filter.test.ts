import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FilterSchema } from "@scimgw/proto";
import type { Filter } from "@scimgw/scim";
import { filterFromProto, filterToProto, MalformedMessageError } from "./translate-filter.js";
import { patchOperationsFromProto, patchOperationsToProto } from "./translate-patch.js";

const trees: Array<[string, Filter]> = [
  ["eq string", { kind: "compare", path: { attribute: "userName" }, operator: "eq", value: "bjensen" }],
  [
    "every operator and literal type",
    {
      kind: "and",
      left: {
        kind: "or",
        left: { kind: "compare", path: { attribute: "title" }, operator: "co", value: "x" },
        right: { kind: "compare", path: { attribute: "active" }, operator: "ne", value: true },
      },
      right: {
        kind: "and",
        left: { kind: "compare", path: { attribute: "meta", subAttribute: "lastModified" }, operator: "gt", value: "2026-01-01T00:00:00Z" },
        right: { kind: "compare", path: { attribute: "externalId" }, operator: "eq", value: null },
      },
    },
  ],
  ["numbers", { kind: "compare", path: { schema: "urn:acme", attribute: "level" }, operator: "le", value: 3.5 }],
  ["present", { kind: "present", path: { attribute: "title" } }],
  ["not", { kind: "not", operand: { kind: "compare", path: { attribute: "userName" }, operator: "sw", value: "a" } }],
  [
    "value path",
    {
      kind: "valuePath",
      path: { attribute: "emails" },
      filter: {
        kind: "and",
        left: { kind: "compare", path: { attribute: "type" }, operator: "eq", value: "work" },
        right: { kind: "compare", path: { attribute: "value" }, operator: "ew", value: "@example.com" },
      },
    },
  ],
  [
    "enterprise URN",
    {
      kind: "compare",
      path: { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", attribute: "employeeNumber" },
      operator: "eq",
      value: "701984",
    },
  ],
];

for (const [name, tree] of trees) {
  test(`filter round-trips through protobuf bytes: ${name}`, () => {
    assert.deepEqual(filterFromProto(fromBinary(FilterSchema, toBinary(FilterSchema, filterToProto(tree)))), tree);
  });
}

test("a structurally incomplete filter from a gRPC caller is rejected, not guessed at", () => {
  assert.throws(() => filterFromProto(create(FilterSchema)), MalformedMessageError);
  assert.throws(
    () => filterFromProto(create(FilterSchema, { expression: { case: "attribute", value: { operator: 1 } } })),
    MalformedMessageError,
  );
  assert.throws(
    () =>
      filterFromProto(create(FilterSchema, { expression: { case: "attribute", value: { path: { attribute: "userName" }, operator: 0 } } })),
    MalformedMessageError,
  );
});

test("PATCH operations round-trip with paths, value filters and raw JSON values", () => {
  const operations = [
    { op: "replace" as const, value: { active: false, "name.givenName": "Ada" } },
    { op: "add" as const, path: { attribute: "emails", valueFilter: trees[0]![1], subAttribute: "value" }, value: "x@example.com" },
    { op: "remove" as const, path: { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", attribute: "manager" } },
    { op: "add" as const, path: { attribute: "members" }, value: [{ value: "u1", display: null }] },
  ];
  assert.deepEqual(patchOperationsFromProto(patchOperationsToProto(operations)), operations);
});
