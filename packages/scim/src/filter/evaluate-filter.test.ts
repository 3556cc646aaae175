import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { ScimResource } from "../resource/json-value.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { attribute, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import { createFilterPredicate, matchesFilter } from "./evaluate-filter.js";
import { parseFilter } from "./parse-filter.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const babs: ScimResource = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "bjensen",
  userName: "bjensen@example.com",
  name: { familyName: "Jensen", givenName: "Barbara", formatted: "Ms. Barbara J Jensen, III" },
  displayName: "Babs Jensen",
  title: "",
  userType: "Employee",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  ims: [{ value: "someaimhandle", type: "aim" }],
  meta: { resourceType: "User", created: "2010-01-23T04:56:22Z", lastModified: "2011-05-13T04:42:34.5788954Z" },
  [enterprise]: { employeeNumber: "701984", manager: { value: "boss-1" } },
};

const rows: [string, boolean][] = [
  // eq, honouring caseExact (userName is caseExact false, RFC 7643 §4.1.1; id is caseExact true)
  ['userName eq "BJENSEN@example.com"', true],
  ['userName eq "someone"', false],
  ['id eq "2819C223-7F76-453A-919D-413861904646"', false],
  ['id eq "2819c223-7f76-453a-919d-413861904646"', true],
  ['externalId eq "BJENSEN"', false],
  // ne, including on missing values
  ['userName ne "someone"', true],
  ['userName ne "bjensen@EXAMPLE.com"', false],
  ['nickName ne "x"', true],
  ['emails.type ne "work"', true],
  // co / sw / ew
  ['name.familyName co "ENS"', true],
  ['name.familyName co "xyz"', false],
  ['userName sw "bjen"', true],
  ['userName sw "jen"', false],
  ['userName ew "@EXAMPLE.COM"', true],
  ['userName ew "@example.org"', false],
  ['nickName co "a"', false],
  // gt / ge / lt / le on strings and dateTimes (chronological, RFC 7644 3.4.2.2)
  ['displayName gt "Alice"', true],
  ['displayName lt "alice"', false],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', true],
  ['meta.lastModified gt "2011-05-13T04:42:34.5788954Z"', false],
  ['meta.lastModified ge "2011-05-13T04:42:34.5788954Z"', true],
  ['meta.lastModified lt "2011-05-13T06:42:34+02:00"', false],
  ['meta.lastModified le "2011-05-13T06:42:35+02:00"', true],
  ['meta.created eq "2010-01-23T05:56:22+01:00"', true],
  ["meta.Created gt 2015-10-10T14:38:21.8617979-07:00", false],
  ['meta.created co "2010-01"', true],
  // booleans
  ["active eq true", true],
  ['active eq "False"', false],
  ["active ne false", true],
  // pr: present and non-empty
  ["title pr", false],
  ["nickName pr", false],
  ["name pr", true],
  ["emails pr", true],
  ["addresses pr", false],
  [`${enterprise}:manager pr`, true],
  // null
  ["nickName eq null", true],
  ["userName eq null", false],
  // "assigned" is what pr tests: babs's title is "", so it is unassigned (RFC 7643 §2.5)
  ["title eq null", true],
  ["title ne null", false],
  ["title pr", false],
  ["userName ne null", true],
  // multi-valued: any value matches
  ['emails.value co "jensen.org"', true],
  ['emails co "example.com"', true],
  ['emails.type eq "other"', false],
  // value paths: one and the same value must satisfy every condition
  ['emails[type eq "work" and value co "@example.com"]', true],
  ['emails[type eq "home" and value co "@example.com"]', false],
  ['emails[type eq "work" and primary eq true]', true],
  ['emails[type eq "home" and primary eq true]', false],
  ['emails[not (type eq "work")]', true],
  ['emails[type eq "work"].value eq "bjensen@example.com"', true],
  // and / or / not, precedence and grouping
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
  ['title pr and userType eq "Employee"', false],
  ['title pr or userType eq "Employee"', true],
  ['userType eq "Intern" and title pr or active eq true', true],
  ['userType eq "Intern" and (title pr or active eq true)', false],
  ['not (userType eq "Intern")', true],
  // extension attributes, qualified or not (Entra checks the manager this way)
  [`${enterprise}:employeeNumber eq "701984"`, true],
  [`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "barbara"`, true],
  ['id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "boss-1"', true],
  ['manager eq "boss-2"', false],
  // schemas (rfc7644 3.4.2.2 figure 2)
  [`schemas eq "${enterprise}"`, true],
  // Microsoft's collection
  ["name.FamilyName eq Jensen and (emails.Value co example.com or emails.Value co example.org)", true],
  ["userName sw B", true],
  ['DisplayName eq "Babs Jensen"', true],
];

for (const [filter, expected] of rows) {
  test(`matchesFilter ${filter} → ${expected}`, () => {
    assert.equal(matchesFilter(babs, parseFilter(filter), userResourceType), expected);
  });
}

test("numbers compare numerically", () => {
  const withCount: ResourceTypeDefinition = {
    ...userResourceType,
    schema: { ...userResourceType.schema, attributes: [...userResourceType.schema.attributes, attribute("loginCount", "integer")] },
  };
  const resource = { ...babs, loginCount: 10 };
  assert.equal(matchesFilter(resource, parseFilter("loginCount gt 9"), withCount), true);
  assert.equal(matchesFilter(resource, parseFilter("loginCount gt 10"), withCount), false);
  assert.equal(matchesFilter(resource, parseFilter('loginCount le "10"'), withCount), true);
  // lexicographically "10" < "9"; numerically it is not
  assert.equal(matchesFilter(resource, parseFilter("loginCount lt 9"), withCount), false);
});

test("group members by value", () => {
  const group = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    id: "g1",
    displayName: "Admins",
    members: [{ value: "u1" }, { value: "u2" }],
  };
  assert.equal(matchesFilter(group, parseFilter('members[value eq "u2"]'), groupResourceType), true);
  assert.equal(matchesFilter(group, parseFilter('members.value eq "u3"'), groupResourceType), false);
  assert.equal(matchesFilter(group, parseFilter('displayName eq "ADMINS"'), groupResourceType), true);
});

test("createFilterPredicate compiles once for many resources", () => {
  const predicate = createFilterPredicate(parseFilter('userName sw "b"'), userResourceType);
  assert.deepEqual([babs, { ...babs, userName: "alice" }].map(predicate), [true, false]);
});

test("invalid filters are 400 invalidFilter", () => {
  assert.throws(
    () => matchesFilter(babs, parseFilter("active gt false"), userResourceType),
    (error: unknown) => error instanceof ScimError && error.status === 400 && error.scimType === "invalidFilter",
  );
});

// Found by fuzzing (compile-user-filter.fuzz.test.ts): JavaScript's `<` put "𝔘" (U+1D518) below
// U+E000, SQL above it, so `title gt "\uE000"` answered differently in memory and in the directory.
test("strings are ordered by code point, as SQL orders them", () => {
  const astral = { ...babs, title: "𝔘ser" };
  assert.equal(matchesFilter(astral, parseFilter('title gt "\uE000"'), userResourceType), true);
  assert.equal(matchesFilter(astral, parseFilter('title lt "\uFFFD"'), userResourceType), false);
  assert.equal(matchesFilter(astral, parseFilter('title ge "𝔘ser"'), userResourceType), true);
});
