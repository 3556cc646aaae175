import { test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FilterSchema, type Filter as ProtoFilter } from "@scimgw/proto";
import { formatFilter, parseFilter } from "@scimgw/scim";
import { filterFromProto, filterToProto } from "./translate-filter.js";
import { isResourceId } from "./resource-id.js";

function depth(filter: ProtoFilter): number {
  const expression = filter.expression;
  if (expression.case === "logical") return 1 + Math.max(depth(expression.value.left!), depth(expression.value.right!));
  if (expression.case === "not") return 1 + depth(expression.value.operand!);
  if (expression.case === "valuePath") return 1 + depth(expression.value.filter!);
  return 1;
}

/** filter text -> the most LogicalFilter levels its proto may have. */
const rows: Array<[string, string, number]> = [
  ["50 ors", Array.from({ length: 50 }, (_, i) => `userName eq "u${i}"`).join(" or "), 7],
  ["200 ands", Array.from({ length: 200 }, (_, i) => `userName eq "u${i}"`).join(" and "), 9],
  ["a run split by parentheses", `a pr or (b pr or (c pr or d pr)) or e pr`, 4],
];

for (const [name, text, maxDepth] of rows) {
  test(`${name}: a balanced proto that decodes, with the same operands in the same order`, () => {
    const parsed = parseFilter(text);
    const proto = filterToProto(parsed);
    assert.ok(depth(proto) <= maxDepth, `depth ${depth(proto)}`);
    const decoded = filterFromProto(fromBinary(FilterSchema, toBinary(FilterSchema, proto)));
    const operands = (s: string) => s.replaceAll(/[()]/g, "").split(/ (?:or|and) /);
    assert.deepEqual(operands(formatFilter(decoded)), operands(formatFilter(parsed)));
  });
}

test("and inside or keeps its grouping", () => {
  const decoded = filterFromProto(filterToProto(parseFilter('a eq "1" or b eq "2" and c eq "3" or d eq "4"')));
  assert.equal(decoded.kind, "or");
  assert.match(formatFilter(decoded), /b eq "2" and c eq "3"/);
});

const ids: Array<[string, boolean]> = [
  ["2819c223-7f76-453a-919d-413861904646", true],
  ["2819C223-7F76-453A-919D-413861904646", false],
  ["2819c223-7f76-453a-919d-41386190464", false],
  ["\u0000", false],
  ["x".repeat(10_000), false],
  ["", false],
];
for (const [id, expected] of ids)
  test(`isResourceId(${JSON.stringify(id.slice(0, 40))}) is ${expected}`, () => assert.equal(isResourceId(id), expected));
