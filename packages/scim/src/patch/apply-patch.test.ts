import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError, type ScimType } from "../errors/scim-error.js";
import { cloneJson, type JsonObject, type ScimResource } from "../resource/json-value.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { attribute, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import { applyPatch } from "./apply-patch.js";
import { parsePatchRequest } from "./parse-patch-request.js";

const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const coreUser = "urn:ietf:params:scim:schemas:core:2.0:User";
const coreGroup = "urn:ietf:params:scim:schemas:core:2.0:Group";
const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const user: ScimResource = {
  schemas: [coreUser, enterprise],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "bjensen",
  userName: "bjensen",
  name: { familyName: "Jensen", givenName: "Barbara" },
  displayName: "Babs Jensen",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  addresses: [
    { type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood", primary: true },
    { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood" },
  ],
  [enterprise]: { employeeNumber: "701984", manager: { value: "boss-1", $ref: "../Users/boss-1", displayName: "John Smith" } },
  meta: { resourceType: "User", created: "2010-01-23T04:56:22Z", lastModified: "2011-05-13T04:42:34Z", version: 'W/"a330bc54f0671c9"' },
};

const group: ScimResource = {
  schemas: [coreGroup],
  id: "acbf3ae7-8463-4692-b4fd-9b4da3f908ce",
  displayName: "Tour Guides",
  members: [
    {
      value: "2819c223-7f76-453a-919d-413861904646",
      $ref: "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
      display: "Babs Jensen",
    },
    {
      value: "902c246b-6245-4190-8e05-00816be7344a",
      $ref: "https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a",
      display: "Mandy Pepperidge",
    },
  ],
  meta: { resourceType: "Group" },
};

function patch(resource: ScimResource, operations: unknown[], resourceType: ResourceTypeDefinition = userResourceType): ScimResource {
  return applyPatch(resource, parsePatchRequest({ schemas: [patchOp], Operations: operations }), resourceType);
}

function patchGroup(operations: unknown[]): ScimResource {
  return patch(group, operations, groupResourceType);
}

function without<T extends JsonObject>(object: T, ...keys: string[]): JsonObject {
  const copy: JsonObject = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

// ---- RFC 7644 §3.5.2 examples ----

test("rfc7644 3.5.2.1 add members: appended, readOnly display ignored", () => {
  const result = patchGroup([
    { op: "add", path: "members", value: [{ display: "Babs Jensen", $ref: "https://example.com/v2/Users/1", value: "1" }] },
  ]);
  assert.equal((result["members"] as JsonObject[]).length, 3);
  assert.deepEqual((result["members"] as JsonObject[])[2], { value: "1", $ref: "https://example.com/v2/Users/1" });
});

test("rfc7644 3.5.2.1 add without path: emails appended and nickName set", () => {
  const result = patch(user, [{ op: "add", value: { emails: [{ value: "babs@jensen.org", type: "other" }], nickname: "Babs" } }]);
  assert.equal(result["nickName"], "Babs");
  assert.deepEqual(
    (result["emails"] as JsonObject[]).map((e) => e["type"]),
    ["work", "home", "other"],
  );
});

test("rfc7644 3.5.2.1 add of a value already there changes nothing", () => {
  const result = patch(user, [{ op: "add", path: "emails", value: [{ value: "BJENSEN@example.com", type: "work" }] }]);
  assert.deepEqual(result, user);
});

test("rfc7644 3.5.2.1 add a single object to a multi-valued attribute", () => {
  const result = patch(user, [{ op: "add", path: "emails", value: { value: "b@other.org", type: "other" } }]);
  assert.deepEqual((result["emails"] as JsonObject[])[2], { value: "b@other.org", type: "other" });
});

test("rfc7644 3.5.2.1 add to a complex attribute merges sub-attributes", () => {
  const result = patch(user, [{ op: "add", path: "name", value: { middleName: "J" } }]);
  assert.deepEqual(result["name"], { familyName: "Jensen", givenName: "Barbara", middleName: "J" });
});

test("rfc7644 3.5.2.1 add to a single-valued attribute replaces it", () => {
  assert.equal(patch(user, [{ op: "add", path: "displayName", value: "Barbara" }])["displayName"], "Barbara");
});

test("rfc7644 3.5.2.2 remove all members", () => {
  assert.equal(patchGroup([{ op: "remove", path: "members" }])["members"], undefined);
});

test("rfc7644 3.5.2.2 remove a member by filter", () => {
  const result = patchGroup([{ op: "remove", path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }]);
  assert.deepEqual(
    (result["members"] as JsonObject[]).map((m) => m["value"]),
    ["902c246b-6245-4190-8e05-00816be7344a"],
  );
});

test("rfc7644 3.5.2.2 remove multiple members: none left is unassigned", () => {
  const result = patchGroup([
    { op: "remove", path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' },
    { op: "remove", path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]' },
  ]);
  assert.equal(result["members"], undefined);
});

test("rfc7644 3.5.2.2 remove all members then add one", () => {
  const result = patchGroup([
    { op: "remove", path: "members" },
    { op: "add", path: "members", value: [{ display: "James Smith", $ref: "https://example.com/v2/Users/08e1d05d", value: "08e1d05d" }] },
  ]);
  assert.deepEqual(result["members"], [{ value: "08e1d05d", $ref: "https://example.com/v2/Users/08e1d05d" }]);
});

test("rfc7644 3.5.2.2 remove emails matching a filter", () => {
  const result = patch(user, [{ op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' }]);
  assert.deepEqual(result["emails"], [{ value: "babs@jensen.org", type: "home" }]);
});

test("rfc7644 3.5.2.2 remove a sub-attribute of filtered values", () => {
  const result = patch(user, [{ op: "remove", path: 'addresses[type eq "work"].locality' }]);
  assert.deepEqual((result["addresses"] as JsonObject[])[0], { type: "work", streetAddress: "100 Universal City Plaza", primary: true });
});

test("rfc7644 3.5.2.2 remove a sub-attribute of a complex attribute", () => {
  assert.deepEqual(patch(user, [{ op: "remove", path: "name.givenName" }])["name"], { familyName: "Jensen" });
});

test("rfc7644 3.5.2.2 remove a sub-attribute of every value", () => {
  const result = patch(user, [{ op: "remove", path: "addresses.locality" }]);
  assert.deepEqual(
    (result["addresses"] as JsonObject[]).map((a) => a["locality"]),
    [undefined, undefined],
  );
});

test("rfc7644 3.5.2.2 remove with a filter that matches nothing changes nothing", () => {
  assert.deepEqual(patchGroup([{ op: "remove", path: 'members[value eq "nobody"]' }]), group);
});

test("rfc7644 3.5.2.3 replace all members", () => {
  const result = patchGroup([
    {
      op: "replace",
      path: "members",
      value: [
        { display: "Babs Jensen", value: "a" },
        { display: "James Smith", value: "b" },
      ],
    },
  ]);
  assert.deepEqual(result["members"], [{ value: "a" }, { value: "b" }]);
});

test("rfc7644 3.5.2.3 replace the work address record", () => {
  const work = {
    type: "work",
    streetAddress: "911 Universal City Plaza",
    locality: "Hollywood",
    region: "CA",
    postalCode: "91608",
    country: "US",
    primary: true,
  };
  const result = patch(user, [{ op: "replace", path: 'addresses[type eq "work"]', value: work }]);
  assert.deepEqual((result["addresses"] as JsonObject[])[0], work);
});

test("rfc7644 3.5.2.3 replace a sub-attribute of the matching record", () => {
  const result = patch(user, [{ op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" }]);
  assert.equal((result["addresses"] as JsonObject[])[0]?.["streetAddress"], "1010 Broadway Ave");
  assert.equal((result["addresses"] as JsonObject[])[1]?.["streetAddress"], "456 Hollywood Blvd");
});

test("rfc7644 3.5.2.3 replace without path", () => {
  const emails = [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ];
  const result = patch(user, [{ op: "replace", value: { emails, nickname: "Babs" } }]);
  assert.deepEqual(result["emails"], emails);
  assert.equal(result["nickName"], "Babs");
});

test("rfc7644 3.5.2.3 replace of a complex attribute leaves unnamed sub-attributes unchanged", () => {
  assert.deepEqual(patch(user, [{ op: "replace", path: "name", value: { givenName: "Babs" } }])["name"], {
    familyName: "Jensen",
    givenName: "Babs",
  });
});

test("rfc7644 3.5.2.3 replace of a complex attribute with a null sub-attribute removes it", () => {
  assert.deepEqual(patch(user, [{ op: "replace", value: { name: { givenName: null } } }])["name"], { familyName: "Jensen" });
});

test("rfc7644 3.5.2.3 replace of a missing attribute adds it", () => {
  assert.equal(patch(user, [{ op: "replace", path: "title", value: "Tour Guide" }])["title"], "Tour Guide");
});

test("rfc7643 2.5 replace with null unassigns the attribute", () => {
  assert.equal(patch(user, [{ op: "replace", path: "displayName", value: null }])["displayName"], undefined);
});

// ---- primary (RFC 7644 §3.5.2, RFC 7643 §2.4) ----

test("rfc7644 3.5.2 adding a primary email clears primary on the others", () => {
  const result = patch(user, [{ op: "add", path: "emails", value: [{ value: "new@example.com", type: "other", primary: true }] }]);
  assert.deepEqual(
    (result["emails"] as JsonObject[]).map((e) => e["primary"]),
    [false, undefined, true],
  );
});

test("rfc7644 3.5.2 setting primary through a filter clears it elsewhere", () => {
  const result = patch(user, [{ op: "replace", path: 'emails[type eq "home"].primary', value: true }]);
  assert.deepEqual(
    (result["emails"] as JsonObject[]).map((e) => e["primary"]),
    [false, true],
  );
});

test("rfc7644 3.5.2 re-adding an existing email as primary marks it primary", () => {
  const result = patch(user, [{ op: "add", path: "emails", value: [{ value: "babs@jensen.org", type: "home", primary: true }] }]);
  assert.deepEqual(result["emails"], [
    { value: "bjensen@example.com", type: "work", primary: false },
    { value: "babs@jensen.org", type: "home", primary: true },
  ]);
});

// ---- Okta (OKTA-REF) ----

test("Okta deactivate: replace without path", () => {
  assert.equal(patch(user, [{ op: "replace", value: { active: false } }])["active"], false);
});

test("Okta password sync: replace without path", () => {
  assert.equal(patch(user, [{ op: "replace", value: { password: "t1meMa$heen" } }])["password"], "t1meMa$heen");
});

test("Okta group rename sends the unchanged id along", () => {
  const result = patchGroup([{ op: "replace", value: { id: group["id"], displayName: "Tour Leaders" } }]);
  assert.equal(result["displayName"], "Tour Leaders");
  assert.equal(result["id"], group["id"]);
});

test("Okta membership update: remove by filter and add in one request", () => {
  const result = patchGroup([
    { op: "remove", path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]' },
    { op: "add", path: "members", value: [{ value: "00u1", display: "new.user@okta.local" }] },
  ]);
  assert.deepEqual(
    (result["members"] as JsonObject[]).map((m) => m["value"]),
    ["2819c223-7f76-453a-919d-413861904646", "00u1"],
  );
});

test("Okta full push: replace members", () => {
  const result = patchGroup([{ op: "replace", path: "members", value: [{ value: "00u1", display: "x" }] }]);
  assert.deepEqual(result["members"], [{ value: "00u1" }]);
});

// ---- Entra (MS-USE, MS-COMPAT, MS-QA, MGR-ISSUES) ----

test('Entra legacy: Replace active with the string "False"', () => {
  assert.equal(patch(user, [{ op: "Replace", path: "active", value: "False" }])["active"], false);
});

test("Entra legacy: Add nickName", () => {
  assert.equal(patch(user, [{ op: "Add", path: "nickName", value: "Babs" }])["nickName"], "Babs");
});

test("Entra: Replace the work email, family name and userName", () => {
  const result = patch(user, [
    { op: "Replace", path: 'emails[type eq "work"].value', value: "barbara@example.com" },
    { op: "Replace", path: "name.familyName", value: "Jensen-Smith" },
    { op: "Replace", path: "userName", value: "barbara" },
  ]);
  assert.equal((result["emails"] as JsonObject[])[0]?.["value"], "barbara@example.com");
  assert.deepEqual(result["name"], { familyName: "Jensen-Smith", givenName: "Barbara" });
  assert.equal(result["userName"], "barbara");
});

test("Entra legacy: separate Replace ops for externalId and the enterprise employeeNumber", () => {
  const result = patch(user, [
    { op: "Replace", path: "externalId", value: "ext-2" },
    { op: "Replace", path: `${enterprise}:employeeNumber`, value: "42" },
  ]);
  assert.equal(result["externalId"], "ext-2");
  assert.equal((result[enterprise] as JsonObject)["employeeNumber"], "42");
});

test("Entra compliant: one replace with dotted and URN-qualified keys", () => {
  const result = patch(user, [
    {
      op: "replace",
      value: { displayName: "Babs", "name.givenName": "Babs", "name.familyName": "J", [`${enterprise}:employeeNumber`]: "7" },
    },
  ]);
  assert.equal(result["displayName"], "Babs");
  assert.deepEqual(result["name"], { familyName: "J", givenName: "Babs" });
  assert.equal((result[enterprise] as JsonObject)["employeeNumber"], "7");
});

test("Entra: capitalised sub-attribute in a path", () => {
  const result = patch(user, [{ op: "Replace", path: 'emails[type eq "home"].Value', value: "b@home.org" }]);
  assert.equal((result["emails"] as JsonObject[])[1]?.["value"], "b@home.org");
});

test('Entra (MS-QA): Add emails[type eq "work"].value when there is no work email creates one', () => {
  const noWork = { ...user, emails: [{ value: "babs@jensen.org", type: "home" }] };
  const result = patch(noWork, [{ op: "Add", path: 'emails[type eq "work"].value', value: "bjensen@example.com" }]);
  assert.deepEqual(result["emails"], [
    { value: "babs@jensen.org", type: "home" },
    { value: "bjensen@example.com", type: "work" },
  ]);
});

test('Entra: Add phoneNumbers[type eq "mobile"].value when there are no phone numbers', () => {
  const result = patch(user, [{ op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" }]);
  assert.deepEqual(result["phoneNumbers"], [{ value: "+1 555 0100", type: "mobile" }]);
});

test('Entra: Add emails[type eq "work"].value when there is one replaces its value', () => {
  const result = patch(user, [{ op: "Add", path: 'emails[type eq "work"].value', value: "barbara@example.com" }]);
  assert.deepEqual((result["emails"] as JsonObject[])[0], { value: "barbara@example.com", type: "work", primary: true });
});

test("Entra manager: add by URN path with a bare id drops the old $ref and display name", () => {
  const result = patch(user, [{ op: "add", path: `${enterprise}:manager`, value: "boss-2" }]);
  assert.deepEqual((result[enterprise] as JsonObject)["manager"], { value: "boss-2" });
});

test('Entra manager: Add path "manager" with an array of one {$ref, value} (MS-USE)', () => {
  const noManager = { ...user, [enterprise]: { employeeNumber: "701984" } };
  const result = patch(noManager, [{ op: "Add", path: "manager", value: [{ $ref: "https://x/Users/boss-3", value: "boss-3" }] }]);
  assert.deepEqual((result[enterprise] as JsonObject)["manager"], { value: "boss-3", $ref: "https://x/Users/boss-3" });
});

test("Entra manager: Replace with {value}", () => {
  const result = patch(user, [{ op: "Replace", path: "manager", value: { value: "boss-4" } }]);
  assert.deepEqual((result[enterprise] as JsonObject)["manager"], { value: "boss-4" });
});

test("Entra manager: Replace with an empty value removes the manager (Logic App validation)", () => {
  const result = patch(user, [{ op: "Replace", path: `${enterprise}:manager`, value: "" }]);
  assert.deepEqual(result[enterprise], { employeeNumber: "701984" });
});

test("Entra legacy: Remove members listed in value", () => {
  const result = patchGroup([{ op: "Remove", path: "members", value: [{ value: "2819C223-7F76-453A-919D-413861904646" }] }]);
  assert.deepEqual(
    (result["members"] as JsonObject[]).map((m) => m["value"]),
    ["902c246b-6245-4190-8e05-00816be7344a"],
  );
});

test('Entra: Add and Remove members with "$ref": null', () => {
  const added = patchGroup([{ op: "Add", path: "members", value: [{ $ref: null, value: "u-3" }] }]);
  assert.deepEqual((added["members"] as JsonObject[])[2], { value: "u-3" });
  const removed = patch(added, [{ op: "Remove", path: "members", value: [{ $ref: null, value: "u-3" }] }], groupResourceType);
  assert.deepEqual(removed["members"], group["members"]);
});

test("Entra compliant: remove a member by filter", () => {
  const result = patchGroup([{ op: "remove", path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]' }]);
  assert.equal((result["members"] as JsonObject[]).length, 1);
});

test("Entra: Replace the group displayName", () => {
  assert.equal(patchGroup([{ op: "Replace", path: "displayName", value: "Guides" }])["displayName"], "Guides");
});

test('Entra Logic App null update: Replace with "" then null', () => {
  const cleared = patch(user, [
    { op: "Replace", path: "displayName", value: "" },
    { op: "Replace", path: "active", value: "" },
  ]);
  assert.equal(cleared["displayName"], "");
  assert.equal(cleared["active"], undefined);
  assert.equal(patch(cleared, [{ op: "Replace", path: "displayName", value: null }])["displayName"], undefined);
});

// ---- extensions ----

test("path-less value with an extension URN key and an object", () => {
  const result = patch(user, [{ op: "replace", value: { [enterprise]: { department: "Tour", costCenter: "4130" } } }]);
  assert.deepEqual(result[enterprise], {
    employeeNumber: "701984",
    manager: { value: "boss-1", $ref: "../Users/boss-1", displayName: "John Smith" },
    department: "Tour",
    costCenter: "4130",
  });
});

test("a path naming the whole extension", () => {
  const result = patch(user, [{ op: "add", path: enterprise, value: { division: "Theme Park" } }]);
  assert.equal((result[enterprise] as JsonObject)["division"], "Theme Park");
  assert.equal(patch(user, [{ op: "remove", path: enterprise }])[enterprise], undefined);
});

test("schemas follow the extension: removed with its last attribute, added with the first", () => {
  const plain = { ...without(user, enterprise), schemas: [coreUser] };
  const added = patch(plain, [{ op: "add", path: `${enterprise}:department`, value: "Tour" }]);
  assert.deepEqual(added["schemas"], [coreUser, enterprise]);
  const removed = patch(added, [{ op: "remove", path: `${enterprise}:department` }]);
  assert.deepEqual(removed["schemas"], [coreUser]);
  assert.equal(removed[enterprise], undefined);
});

// ---- Microsoft's test collection ----

test("Microsoft collection: add a member given as a bare string", () => {
  const empty = without(group, "members");
  const result = patch(empty, [{ op: "add", path: "members", value: "string id 1" }], groupResourceType);
  assert.deepEqual(result["members"], [{ value: "string id 1" }]);
});

test("Microsoft collection: replace userName", () => {
  assert.equal(patch(user, [{ op: "replace", path: "userName", value: "ryan3" }])["userName"], "ryan3");
});

// ---- mutability (RFC 7644 §3.5.2) ----

const immutableType: ResourceTypeDefinition = {
  ...userResourceType,
  schema: {
    ...userResourceType.schema,
    attributes: [...userResourceType.schema.attributes, attribute("badge", "string", { mutability: "immutable" })],
  },
};

test("an immutable attribute may be added when unassigned", () => {
  assert.equal(patch(user, [{ op: "add", path: "badge", value: "B-1" }], immutableType)["badge"], "B-1");
});

test("an immutable sub-attribute may be set when unassigned (members.type)", () => {
  const result = patchGroup([{ op: "add", path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"].type', value: "User" }]);
  assert.equal((result["members"] as JsonObject[])[1]?.["type"], "User");
});

const mutabilityErrors: [string, ScimResource, ResourceTypeDefinition, unknown[], RegExp][] = [
  ["replace id", user, userResourceType, [{ op: "replace", path: "id", value: "x" }], /id is readOnly/],
  [
    "Okta-style rename with a different id",
    group,
    groupResourceType,
    [{ op: "replace", value: { id: "other", displayName: "x" } }],
    /id is readOnly/,
  ],
  ["remove meta", user, userResourceType, [{ op: "remove", path: "meta" }], /meta is readOnly/],
  [
    "replace meta.created",
    user,
    userResourceType,
    [{ op: "replace", path: "meta.created", value: "2020-01-01T00:00:00Z" }],
    /meta\.created is readOnly/,
  ],
  ["add groups", user, userResourceType, [{ op: "add", path: "groups", value: [{ value: "g1" }] }], /groups is readOnly/],
  [
    "replace manager.displayName",
    user,
    userResourceType,
    [{ op: "replace", path: `${enterprise}:manager.displayName`, value: "Boss" }],
    /manager\.displayName is readOnly/,
  ],
  [
    "remove userName (required)",
    user,
    userResourceType,
    [{ op: "remove", path: "userName" }],
    /userName is required and cannot be removed/,
  ],
  ["replace userName with null", user, userResourceType, [{ op: "replace", value: { userName: null } }], /userName is required/],
  ["remove the group displayName", group, groupResourceType, [{ op: "Remove", path: "displayName" }], /displayName is required/],
  [
    "change an immutable attribute",
    { ...user, badge: "B-1" },
    immutableType,
    [{ op: "replace", path: "badge", value: "B-2" }],
    /badge is immutable/,
  ],
  ["remove an immutable attribute", { ...user, badge: "B-1" }, immutableType, [{ op: "remove", path: "badge" }], /badge is immutable/],
  [
    "change an immutable member value",
    group,
    groupResourceType,
    [{ op: "replace", path: 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"].value', value: "other" }],
    /members\[value eq "902c246b-6245-4190-8e05-00816be7344a"\]\.value is immutable/,
  ],
];

for (const [name, base, resourceType, operations, detail] of mutabilityErrors) {
  test(`mutability: ${name} is 400 mutability`, () => {
    assert.throws(
      () => patch(base, operations, resourceType),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "mutability" && detail.test(error.detail),
    );
  });
}

test("a readOnly attribute sent back unchanged is accepted", () => {
  assert.deepEqual(patch(user, [{ op: "replace", path: "id", value: user["id"] }]), user);
});

// ---- other errors ----

const errors: [string, unknown[], ScimType, RegExp][] = [
  [
    "replace with a filter matching nothing (rfc7644 3.5.2.3)",
    [{ op: "replace", path: 'emails[type eq "other"].value', value: "x" }],
    "noTarget",
    /no value of emails matches \[type eq "other"\]/,
  ],
  [
    "add with a filter that cannot make a value",
    [{ op: "add", path: 'emails[type ne "work" and type ne "home"].value', value: "x" }],
    "noTarget",
    /can only be made from "eq" conditions/,
  ],
  [
    "an unknown attribute",
    [{ op: "replace", path: "favouriteColour", value: "blue" }],
    "invalidPath",
    /unknown attribute "favouriteColour"/,
  ],
  ["an unknown sub-attribute", [{ op: "replace", path: "name.nick", value: "x" }], "invalidPath", /"name" has no sub-attribute "nick"/],
  [
    "a filter on a simple attribute",
    [{ op: "replace", path: 'userName[value eq "x"]', value: "x" }],
    "invalidPath",
    /"userName" has no sub-attributes/,
  ],
  [
    "an unknown name inside a filter",
    [{ op: "remove", path: 'emails[kind eq "work"]' }],
    "invalidPath",
    /inside emails\[\.\.\.\] name a sub-attribute/,
  ],
  [
    "a sub-attribute of every value with replace",
    [{ op: "replace", path: "emails.value", value: "x" }],
    "invalidPath",
    /select values with a filter/,
  ],
  ["a wrongly typed value", [{ op: "replace", path: "active", value: "maybe" }], "invalidValue", /active must be a boolean/],
  ["a path-less add whose value is not an object", [{ op: "add", value: "x" }], "invalidValue", /needs a JSON object of attributes/],
  ["an extension value that is not an object", [{ op: "add", path: enterprise, value: "x" }], "invalidValue", /takes a JSON object/],
  [
    "two primary values in one add",
    [
      {
        op: "add",
        path: "emails",
        value: [
          { value: "a", primary: true },
          { value: "b", primary: true },
        ],
      },
    ],
    "invalidValue",
    /at most one may be primary/,
  ],
];

for (const [name, operations, scimType, detail] of errors) {
  test(`applyPatch rejects ${name}: 400 ${scimType}`, () => {
    assert.throws(
      () => patch(user, operations),
      (error: unknown) => error instanceof ScimError && error.status === 400 && error.scimType === scimType && detail.test(error.detail),
    );
  });
}

test("remove without path is noTarget even when built by hand (rfc7644 3.5.2.2)", () => {
  assert.throws(
    () => applyPatch(user, [{ op: "remove" }], userResourceType),
    (error: unknown) => error instanceof ScimError && error.scimType === "noTarget",
  );
});

// ---- purity and atomicity ----

test("applyPatch never changes its input", () => {
  const before = cloneJson(user);
  patch(user, [
    { op: "add", path: "emails", value: [{ value: "x@y.z", primary: true }] },
    { op: "remove", path: "name.givenName" },
    { op: "replace", path: `${enterprise}:manager`, value: "boss-9" },
  ]);
  assert.deepEqual(user, before);
});

test("a failing operation fails the whole request and names the operation", () => {
  const before = cloneJson(user);
  assert.throws(
    () =>
      patch(user, [
        { op: "replace", path: "displayName", value: "Changed" },
        { op: "remove", path: "userName" },
      ]),
    (error: unknown) => error instanceof ScimError && /^Operations\[1\]: userName is required/.test(error.detail),
  );
  assert.deepEqual(user, before);
});

test("unknown keys in a path-less value are ignored (rfc7644 3.3)", () => {
  assert.deepEqual(patch(user, [{ op: "replace", value: { favouriteColour: "blue", "name.nick": "x" } }]), user);
});

test("meta is left for the caller", () => {
  assert.deepEqual(patch(user, [{ op: "replace", path: "title", value: "Guide" }])["meta"], user["meta"]);
});
