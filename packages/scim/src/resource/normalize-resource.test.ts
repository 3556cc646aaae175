import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError, type ScimType } from "../errors/scim-error.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { urn } from "../schema/urns.js";
import { normalizeResource, schemasFor } from "./normalize-resource.js";

const entraGroupMarker = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

test("rfc7643 8.3 enterprise user: readOnly id/meta/manager.displayName dropped, extension kept", () => {
  const body = {
    schemas: [urn.user, urn.enterpriseUser],
    id: "2819c223-7f76-453a-919d-413861904646",
    externalId: "701984",
    userName: "bjensen@example.com",
    name: { formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara" },
    emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
    active: true,
    [urn.enterpriseUser]: {
      employeeNumber: "701984",
      manager: {
        value: "26118915-6090-4610-87e4-49d8ca9f808d",
        $ref: "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
        displayName: "John Smith",
      },
    },
    meta: { resourceType: "User", created: "2010-01-23T04:56:22Z", version: 'W/"3694e05e9dff591"' },
  };
  assert.deepEqual(normalizeResource(body, userResourceType, "create"), {
    schemas: [urn.user, urn.enterpriseUser],
    externalId: "701984",
    userName: "bjensen@example.com",
    name: { formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara" },
    active: true,
    emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
    [urn.enterpriseUser]: {
      employeeNumber: "701984",
      manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d", $ref: "../Users/26118915-6090-4610-87e4-49d8ca9f808d" },
    },
  });
});

test("Okta create (OKTA-REF): groups [] dropped, password kept for hashing", () => {
  const body = {
    schemas: [urn.user],
    userName: "test.user@okta.local",
    name: { givenName: "Test", familyName: "User" },
    emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
    displayName: "Test User",
    locale: "en-US",
    externalId: "00ujl29u0le5T6Aj10h7",
    groups: [],
    password: "1mz050nq",
    active: true,
  };
  assert.deepEqual(normalizeResource(body, userResourceType, "create"), {
    schemas: [urn.user],
    externalId: "00ujl29u0le5T6Aj10h7",
    userName: "test.user@okta.local",
    name: { familyName: "User", givenName: "Test" },
    displayName: "Test User",
    locale: "en-US",
    active: true,
    password: "1mz050nq",
    emails: [{ value: "test.user@okta.local", type: "work", primary: true }],
  });
});

test("Entra create (MS-USE): nulls and [] are unassigned, string boolean coerced, extension without attributes left out", () => {
  const body = {
    schemas: [urn.user, urn.enterpriseUser],
    externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
    active: "True",
    addresses: null,
    emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
    meta: { resourceType: "User" },
    name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
    phoneNumbers: null,
    roles: [],
    title: null,
    [urn.enterpriseUser]: { manager: null },
  };
  const result = normalizeResource(body, userResourceType, "create");
  assert.deepEqual(Object.keys(result), ["schemas", "externalId", "userName", "name", "active", "emails"]);
  assert.deepEqual(result["schemas"], [urn.user]);
  assert.equal(result["active"], true);
});

test("Entra group create with its ADSCIM marker in schemas (MS-USE)", () => {
  const body = {
    schemas: [urn.group, entraGroupMarker],
    externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    displayName: "displayName",
    meta: { resourceType: "Group" },
  };
  assert.deepEqual(normalizeResource(body, groupResourceType, "create"), {
    schemas: [urn.group],
    externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    displayName: "displayName",
  });
});

test("Microsoft collection: misspelled attribute ignored, capitalised names canonicalised", () => {
  const body = {
    id: "ignored",
    userName: "OMalley",
    active: false,
    adreses: [{ country: "Germany" }],
    emails: [{ type: "work", Primary: true, value: "anna33@example.com" }],
    schemas: [urn.user.toLowerCase()],
    [urn.enterpriseUser]: { Department: "bob", Manager: { Value: "SuzzyQ" } },
  };
  assert.deepEqual(normalizeResource(body, userResourceType, "replace"), {
    schemas: [urn.user, urn.enterpriseUser],
    userName: "OMalley",
    active: false,
    emails: [{ value: "anna33@example.com", type: "work", primary: true }],
    [urn.enterpriseUser]: { department: "bob", manager: { value: "SuzzyQ" } },
  });
});

test("Entra manager given as a bare id is stored as {value}", () => {
  const body = { schemas: [urn.user, urn.enterpriseUser], userName: "u", [urn.enterpriseUser]: { manager: "boss-id" } };
  assert.deepEqual(normalizeResource(body, userResourceType, "create")[urn.enterpriseUser], { manager: { value: "boss-id" } });
});

test("extension URN keys are matched case-insensitively", () => {
  const body = { schemas: [urn.user], userName: "u", [urn.enterpriseUser.toUpperCase()]: { employeeNumber: "7" } };
  const result = normalizeResource(body, userResourceType, "create");
  assert.deepEqual(result[urn.enterpriseUser], { employeeNumber: "7" });
  assert.deepEqual(result["schemas"], [urn.user, urn.enterpriseUser]);
});

const invalid: [string, unknown, ScimType, RegExp][] = [
  ["a body that is not an object", [1, 2], "invalidSyntax", /POST body must be a JSON object representing a User/],
  ["a null body", null, "invalidSyntax", /must be a JSON object/],
  ["missing schemas", { userName: "u" }, "invalidSyntax", /"schemas" is required/],
  ["schemas not an array", { schemas: urn.user, userName: "u" }, "invalidSyntax", /"schemas" must be an array of schema URN strings/],
  ["schemas with a number", { schemas: [urn.user, 3], userName: "u" }, "invalidSyntax", /array of schema URN strings/],
  ["schemas without the core URN", { schemas: [urn.enterpriseUser], userName: "u" }, "invalidValue", /must include the User core schema/],
  [
    "an unknown schema URN",
    { schemas: [urn.user, "urn:example:custom"], userName: "u" },
    "invalidValue",
    /lists "urn:example:custom", which is neither/,
  ],
  ['missing userName (Microsoft "Post no username")', { schemas: [urn.user], active: true }, "invalidValue", /userName is required/],
  [
    'misspelled userName (Microsoft "Put a user no username")',
    { schemas: [urn.user], userame: "OMalley" },
    "invalidValue",
    /userName is required/,
  ],
  ["empty userName", { schemas: [urn.user], userName: "" }, "invalidValue", /userName is required and must not be empty/],
  ["null userName", { schemas: [urn.user], userName: null }, "invalidValue", /userName is required/],
  ["wrong type", { schemas: [urn.user], userName: "u", active: "yes" }, "invalidValue", /active must be a boolean/],
  ["emails as an object", { schemas: [urn.user], userName: "u", emails: { value: "a" } }, "invalidValue", /emails is multi-valued/],
  [
    "two primary emails (rfc7643 2.4)",
    {
      schemas: [urn.user],
      userName: "u",
      emails: [
        { value: "a", primary: true },
        { value: "b", primary: true },
      ],
    },
    "invalidValue",
    /at most one may be primary/,
  ],
  [
    "an extension that is not an object",
    { schemas: [urn.user], userName: "u", [urn.enterpriseUser]: "x" },
    "invalidValue",
    /must be a JSON object of the extension's attributes/,
  ],
  [
    "one attribute twice in different case",
    { schemas: [urn.user], userName: "a", USERNAME: "b" },
    "invalidValue",
    /userName is given twice/,
  ],
];

for (const [name, body, scimType, detail] of invalid) {
  test(`normalizeResource rejects ${name}: 400 ${scimType}`, () => {
    assert.throws(
      () => normalizeResource(body, userResourceType, "create"),
      (error: unknown) => error instanceof ScimError && error.status === 400 && error.scimType === scimType && detail.test(error.detail),
    );
  });
}

test("a group without displayName is rejected (rfc7643 4.2)", () => {
  assert.throws(
    () => normalizeResource({ schemas: [urn.group], members: [] }, groupResourceType, "create"),
    (error: unknown) => error instanceof ScimError && error.scimType === "invalidValue" && /displayName is required/.test(error.detail),
  );
});

test("PUT bodies are named in details", () => {
  assert.throws(() => normalizeResource("x", userResourceType, "replace"), /PUT body/);
});

test("schemasFor lists the core URN and extensions that have attributes", () => {
  assert.deepEqual(schemasFor(userResourceType, { [urn.enterpriseUser]: {} }), [urn.user]);
  assert.deepEqual(schemasFor(userResourceType, { [urn.enterpriseUser]: { department: "x" } }), [urn.user, urn.enterpriseUser]);
});
