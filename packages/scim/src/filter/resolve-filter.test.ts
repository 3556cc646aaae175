import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { formatFilter } from "./format-filter.js";
import { parseFilter } from "./parse-filter.js";
import { resolveFilter } from "./resolve-filter.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const resolves: [string, string, string][] = [
  ["canonical spelling (rfc7643 2.1)", 'USERNAME eq "bjensen"', 'userName eq "bjensen"'],
  ["sub-attribute spelling (Microsoft)", "name.FamilyName eq Employee", 'name.familyName eq "Employee"'],
  ["common attribute meta", "meta.Created gt 2015-10-10T14:38:21.8617979-07:00", 'meta.created gt "2015-10-10T14:38:21.8617979-07:00"'],
  ["core URN prefix dropped", 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'userName sw "J"'],
  ["core URN with sub-attribute", 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "B"', 'name.givenName eq "B"'],
  ["extension URN kept", `${enterprise}:EMPLOYEENUMBER eq "701984"`, `${enterprise}:employeeNumber eq "701984"`],
  [
    "unqualified extension attribute (Entra manager check)",
    'id eq "1" and manager eq "boss"',
    `id eq "1" and ${enterprise}:manager.value eq "boss"`,
  ],
  [
    "complex multi-valued without sub-attribute means value (rfc7644 3.4.2.2 example)",
    'emails co "example.com"',
    'emails.value co "example.com"',
  ],
  ["pr on a complex attribute stays on the attribute", "emails pr", "emails pr"],
  ["value path inner names", 'EMAILS[TYPE eq "work" and Value co "@example.com"]', 'emails[type eq "work" and value co "@example.com"]'],
  ["boolean literal from a string (Entra)", 'active eq "True"', "active eq true"],
  ["number literal on a string attribute", `${enterprise}:employeeNumber eq 42`, `${enterprise}:employeeNumber eq "42"`],
  ["null literal", "title eq null", "title eq null"],
  ["schemas pseudo-attribute (rfc7644 3.4.2.2)", `schemas eq "${enterprise}"`, `schemas eq "${enterprise}"`],
  ["not and or keep their shape", 'not (title pr) or (userType eq "a" and title pr)', 'not (title pr) or userType eq "a" and title pr'],
];

for (const [name, source, expected] of resolves) {
  test(`resolveFilter: ${name}`, () => {
    assert.equal(formatFilter(resolveFilter(parseFilter(source), userResourceType)), expected);
  });
}

test("resolveFilter: group members by value", () => {
  assert.equal(formatFilter(resolveFilter(parseFilter('Members[Value eq "u1"]'), groupResourceType)), 'members[value eq "u1"]');
  assert.equal(formatFilter(resolveFilter(parseFilter("members[$REF pr]"), groupResourceType)), "members[$ref pr]");
});

const rejects: [string, string, RegExp][] = [
  ["an unknown attribute", 'nickname2 eq "x"', /unknown attribute "nickname2"/],
  ["an unknown sub-attribute", 'name.nick eq "x"', /"name" has no sub-attribute "nick"/],
  ["an unknown schema", 'urn:example:ext:foo eq "x"', /unknown schema "urn:example:ext"/],
  ["a value filter on a simple attribute", 'userName[value eq "x"]', /"userName" has no sub-attributes to filter on/],
  ["a non-sub-attribute inside a value filter", 'emails[userName eq "x"]', /inside emails\[\.\.\.\] name a sub-attribute of "emails"/],
  [
    "a comparison on a complex attribute without value",
    'name eq "x"',
    /"name" is complex; compare one of its sub-attributes, e.g. "name.formatted"/,
  ],
  ["gt on a boolean (rfc7644 3.4.2.2)", "active gt true", /"active" is boolean; gt, ge, lt and le do not apply/],
  ["le on binary (rfc7644 3.4.2.2)", 'x509Certificates.value le "AAA"', /is binary; gt, ge, lt and le do not apply/],
  ["co on a boolean", 'active co "t"', /co, sw and ew compare text/],
  ["a non-boolean literal for a boolean", 'active eq "maybe"', /"active" is boolean; "maybe" is not true or false/],
  ["a non-dateTime for a dateTime", 'meta.lastModified gt "yesterday"', /is not an xsd:dateTime/],
  ["gt null", "title gt null", /only eq and ne compare with null/],
];

for (const [name, source, detail] of rejects) {
  test(`resolveFilter rejects ${name} with 400 invalidFilter`, () => {
    assert.throws(
      () => resolveFilter(parseFilter(source), userResourceType),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidFilter" && detail.test(error.detail),
    );
  });
}

test("resolveFilter uses the caller's scimType (invalidPath inside PATCH paths)", () => {
  assert.throws(
    () => resolveFilter(parseFilter('nope eq "x"'), userResourceType, "invalidPath"),
    (error: unknown) => error instanceof ScimError && error.scimType === "invalidPath",
  );
});

test("rfc7643 7 resolveFilter refuses the never-returned password: its matches would disclose it", () => {
  for (const source of ["password pr", 'password eq "s3cret"', 'title pr or not (PASSWORD sw "a")']) {
    assert.throws(
      () => resolveFilter(parseFilter(source), userResourceType),
      (error) => error instanceof ScimError && error.scimType === "invalidFilter" && /never returned/.test(error.message),
      source,
    );
  }
});
