import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { Filter } from "./filter-ast.js";
import { formatFilter } from "./format-filter.js";
import { parseFilter } from "./parse-filter.js";

// source → canonical form (formatFilter of the parsed tree)
const rfc7644Examples: [string, string][] = [
  ['userName eq "bjensen"', 'userName eq "bjensen"'],
  ['name.familyName co "O\'Malley"', 'name.familyName co "O\'Malley"'],
  ['userName sw "J"', 'userName sw "J"'],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'],
  ["title pr", "title pr"],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastModified gt "2011-05-13T04:42:34Z"'],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', 'meta.lastModified ge "2011-05-13T04:42:34Z"'],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', 'meta.lastModified lt "2011-05-13T04:42:34Z"'],
  ['meta.lastModified le "2011-05-13T04:42:34Z"', 'meta.lastModified le "2011-05-13T04:42:34Z"'],
  ['title pr and userType eq "Employee"', 'title pr and userType eq "Employee"'],
  ['title pr or userType eq "Intern"', 'title pr or userType eq "Intern"'],
  [
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  ],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  ],
  ['userType eq "Employee" and (emails.type eq "work")', 'userType eq "Employee" and emails.type eq "work"'],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ],
];

for (const [source, canonical] of rfc7644Examples) {
  test(`rfc7644 3.4.2.2 parses ${source}`, () => {
    assert.equal(formatFilter(parseFilter(source)), canonical);
  });
}

const operators = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
for (const operator of operators) {
  test(`operator ${operator} parses in any letter case`, () => {
    const upper = operator.toUpperCase();
    assert.deepEqual(parseFilter(`displayName ${upper} "x"`), {
      kind: "compare",
      path: { attribute: "displayName" },
      operator,
      value: "x",
    });
  });
}

test("pr parses in any letter case", () => {
  assert.deepEqual(parseFilter("title PR"), { kind: "present", path: { attribute: "title" } });
});

const cases: [string, string, string][] = [
  ["and binds tighter than or", "a eq 1 or b eq 2 and c eq 3", "a eq 1 or b eq 2 and c eq 3"],
  ["parentheses override precedence", "(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"],
  ["and/or/not keywords in any case", "a eq 1 AND NOT (b eq 2) Or c pr", "a eq 1 and not (b eq 2) or c pr"],
  ["not without a space before (", "not(a pr)", "not (a pr)"],
  ["redundant parentheses vanish", "((a pr))", "a pr"],
  ["or groups to the left", "a pr or b pr or c pr", "a pr or b pr or c pr"],
  ["right-nested or keeps its parentheses", "a pr or (b pr or c pr)", "a pr or (b pr or c pr)"],
  ["JSON literals", "a eq true and b eq false and c eq null and d eq 12.5e1", "a eq true and b eq false and c eq null and d eq 125"],
  ["negative number", "a gt -3", "a gt -3"],
  ["string escapes", 'a eq "say \\"hi\\" \\u00e9"', 'a eq "say \\"hi\\" é"'],
  ["$ref attribute", 'members.$ref eq "https://x/Users/1"', 'members.$ref eq "https://x/Users/1"'],
  [
    "enterprise URN attribute",
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
  ],
  [
    "URN attribute with a sub-attribute",
    'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Barbara"',
    'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Barbara"',
  ],
  ["extra whitespace", '  userName   eq\t"x"  ', 'userName eq "x"'],
  ["unquoted true/false/null in any case", "active eq True and x eq NULL", "active eq true and x eq null"],
  // Microsoft's SCIM test collection (AzureAD/SCIMReferenceCode PostmanCollection.json):
  [
    "Microsoft: unquoted words",
    "name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)",
    'name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org")',
  ],
  ["Microsoft: unquoted prefix", "userName sw O", 'userName sw "O"'],
  [
    "Microsoft: unquoted dateTime",
    "meta.Created gt 2015-10-10T14:38:21.8617979-07:00",
    'meta.Created gt "2015-10-10T14:38:21.8617979-07:00"',
  ],
  ["Microsoft: capitalised attribute", 'DisplayName eq "BobIsAmazing"', 'DisplayName eq "BobIsAmazing"'],
  [
    "Entra: value path with a sub-attribute comparison",
    'emails[type eq "work"].value eq "user@contoso.com"',
    'emails[type eq "work" and value eq "user@contoso.com"]',
  ],
  ["Entra: externalId unquoted", "externalId eq jyoung", 'externalId eq "jyoung"'],
];

for (const [name, source, canonical] of cases) {
  test(`parseFilter: ${name}`, () => {
    assert.equal(formatFilter(parseFilter(source)), canonical);
  });
}

test("precedence: a or b and c is or(a, and(b, c))", () => {
  const tree = parseFilter("a pr or b pr and c pr");
  assert.equal(tree.kind, "or");
  assert.equal(tree.kind === "or" ? tree.right.kind : undefined, "and");
});

test("a value path keeps its inner paths relative to the attribute", () => {
  const expected: Filter = {
    kind: "valuePath",
    path: { attribute: "emails" },
    filter: {
      kind: "and",
      left: { kind: "compare", path: { attribute: "type" }, operator: "eq", value: "work" },
      right: { kind: "compare", path: { attribute: "value" }, operator: "co", value: "@example.com" },
    },
  };
  assert.deepEqual(parseFilter('emails[type eq "work" and value co "@example.com"]'), expected);
});

test("formatFilter round-trips through parseFilter", () => {
  for (const [source] of [...rfc7644Examples, ...cases.map(([, s]) => [s] as const)]) {
    const tree = parseFilter(source);
    assert.deepEqual(parseFilter(formatFilter(tree)), tree, source);
  }
});

const errors: [string, string, RegExp][] = [
  ["empty filter", "   ", /the filter is empty/],
  ["missing operator", 'userName "bjensen"', /expected an operator after "userName" at position 9, found "bjensen"/],
  ["missing operator at the end", "userName", /expected an operator after "userName" at position 8, found the end of the text/],
  ["unknown operator (rfc7644 3.4.2.2 'regex')", 'userName regex "b.*"', /unknown operator "regex" at position 9/],
  ["missing value", "userName eq", /expected a value after "eq" at position 11/],
  ["value is a parenthesis", "userName eq )", /expected a value after "eq" at position 12, found "\)"/],
  ["dangling and", 'userName eq "a" and', /expected an attribute name, "not" or "\(" at position 19/],
  [
    "unclosed parenthesis",
    '(userName eq "a"',
    /expected "and", "or" or "\)" closing the "\(" at position 0, but found the end of the text at position 16/,
  ],
  ["unopened parenthesis", 'userName eq "a")', /unexpected "\)" at position 15/],
  ["junk after a filter", 'userName eq "a" title pr', /expected "and", "or" or the end of the filter at position 16, found "title"/],
  ["not without parentheses", 'not userName eq "a"', /expected "\(" after "not" at position 4/],
  ["unclosed value filter", 'emails[type eq "work"', /closing the "\[" at position 6/],
  ["nested value filter (rfc7644 errata 4690)", 'emails[type eq "work" and x[y pr]]', /cannot contain another value filter/],
  ["value filter after a sub-attribute", "name.givenName[x pr]", /must follow an attribute, not the sub-attribute path/],
  ["bad attribute name", '1abc eq "x"', /"1abc" at position 0 is not an attribute path/],
  ["too many dots", 'a.b.c eq "x"', /"a.b.c" at position 0 is not an attribute path/],
  ["unterminated string", 'userName eq "abc', /unterminated string starting at position 12/],
  ["too deep", `${"(".repeat(40)}a pr${")".repeat(40)}`, /nests deeper than 32 levels/],
  // Found by filter.fuzz.test.ts: Infinity formatted as `null` and could not become a protobuf Value.
  ["a number beyond a double (fuzzing)", "emails[value eq -1e999]", /the number -1e999 at position 16 is out of range/],
];

for (const [name, source, detail] of errors) {
  test(`parseFilter rejects ${name} with 400 invalidFilter`, () => {
    assert.throws(
      () => parseFilter(source),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidFilter" && detail.test(error.detail),
    );
  });
}
