import { test } from "node:test";
import assert from "node:assert/strict";
import type { Filter } from "./filter-ast.js";
import { formatFilter } from "./format-filter.js";

const a: Filter = { kind: "present", path: { attribute: "a" } };
const b: Filter = { kind: "compare", path: { attribute: "b" }, operator: "eq", value: "x" };
const c: Filter = {
  kind: "compare",
  path: { schema: "urn:ietf:params:scim:schemas:core:2.0:User", attribute: "name", subAttribute: "givenName" },
  operator: "sw",
  value: 1,
};

const table: [string, Filter, string][] = [
  ["present", a, "a pr"],
  ["compare with a JSON string", b, 'b eq "x"'],
  ["URN-qualified path and a number", c, "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw 1"],
  ["null literal", { kind: "compare", path: { attribute: "a" }, operator: "ne", value: null }, "a ne null"],
  ["or inside and is parenthesised", { kind: "and", left: { kind: "or", left: a, right: b }, right: a }, '(a pr or b eq "x") and a pr'],
  ["and inside or is not", { kind: "or", left: { kind: "and", left: a, right: b }, right: a }, 'a pr and b eq "x" or a pr'],
  ["right-nested and", { kind: "and", left: a, right: { kind: "and", left: b, right: a } }, 'a pr and (b eq "x" and a pr)'],
  ["not", { kind: "not", operand: a }, "not (a pr)"],
  ["value path", { kind: "valuePath", path: { attribute: "emails" }, filter: b }, 'emails[b eq "x"]'],
];

for (const [name, filter, text] of table) {
  test(`formatFilter: ${name}`, () => {
    assert.equal(formatFilter(filter), text);
  });
}
