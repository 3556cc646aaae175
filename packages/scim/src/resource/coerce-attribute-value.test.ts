import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { attribute, findAttribute, type AttributeDefinition } from "../schema/schema-definition.js";
import { enterpriseUserSchema, userSchema } from "../schema/user-schema.js";
import { groupSchema } from "../schema/group-schema.js";
import { assertSinglePrimary, coerceAttributeValue, parseBooleanLenient } from "./coerce-attribute-value.js";

function user(name: string): AttributeDefinition {
  const found = findAttribute(userSchema.attributes, name);
  assert.ok(found, name);
  return found;
}

const manager = findAttribute(enterpriseUserSchema.attributes, "manager") as AttributeDefinition;
const members = findAttribute(groupSchema.attributes, "members") as AttributeDefinition;
const loginCount = attribute("loginCount", "integer");
const score = attribute("score", "decimal");
const lastSeen = attribute("lastSeen", "dateTime");

const accepted: [string, AttributeDefinition, unknown, unknown][] = [
  ["string", user("displayName"), "Babs", "Babs"],
  ["empty optional string is kept as sent", user("displayName"), "", ""],
  ["boolean", user("active"), false, false],
  ['boolean from Entra string "True"', user("active"), "True", true],
  ['boolean from Entra string "False"', user("active"), "False", false],
  ['boolean from "false" in any case', user("active"), "fALSE", false],
  ["empty string clears a boolean (Entra null update)", user("active"), "", undefined],
  ["integer", loginCount, 3, 3],
  ["decimal", score, 2.5, 2.5],
  ["dateTime in UTC, to the nanosecond", lastSeen, "2015-10-10T14:38:21.8617979-07:00", "2015-10-10T21:38:21.8617979Z"],
  ["null means unassigned (rfc7643 2.5)", user("title"), null, undefined],
  ["[] means unassigned (rfc7643 2.5)", user("emails"), [], undefined],
  [
    "complex with sub-attribute names in any case",
    user("name"),
    { GivenName: "Barbara", FAMILYNAME: "Jensen" },
    { familyName: "Jensen", givenName: "Barbara" },
  ],
  ["complex drops unknown and null sub-attributes", user("name"), { givenName: "B", nick: "x", honorificPrefix: null }, { givenName: "B" }],
  ["complex with only nulls is unassigned", user("name"), { givenName: null }, undefined],
  [
    'multi-valued complex, Microsoft\'s capitalised "Primary"',
    user("emails"),
    [
      { Primary: true, type: "work", value: "a@example.com" },
      { Primary: "False", type: "home", value: "b@example.com" },
    ],
    [
      { value: "a@example.com", type: "work", primary: true },
      { value: "b@example.com", type: "home", primary: false },
    ],
  ],
  ["multi-valued drops null elements", user("emails"), [null, { value: "a@example.com" }], [{ value: "a@example.com" }]],
  ["manager as a bare string id (Entra, MGR-ISSUES)", manager, "u-42", { value: "u-42" }],
  [
    "manager as an array of one (MS-USE)",
    manager,
    [{ $ref: "https://x/Users/u-42", value: "u-42" }],
    { value: "u-42", $ref: "https://x/Users/u-42" },
  ],
  ['manager "" clears it (Entra removes the manager with an empty value)', manager, "", undefined],
  ["readOnly manager.displayName is ignored (rfc7644 3.5.1)", manager, { value: "u-42", displayName: "Boss" }, { value: "u-42" }],
  ["readOnly members.display is ignored", members, [{ value: "u1", display: "Babs" }], [{ value: "u1" }]],
  ["member as a bare string (Microsoft's test collection)", members, ["u1"], [{ value: "u1" }]],
  ['Entra\'s members with "$ref": null', members, [{ $ref: null, value: "u1" }], [{ value: "u1" }]],
];

for (const [name, definition, input, expected] of accepted) {
  test(`coerceAttributeValue accepts ${name}`, () => {
    assert.deepEqual(coerceAttributeValue(definition, input, definition.name), expected);
  });
}

const rejected: [string, AttributeDefinition, unknown, RegExp][] = [
  ["a number for a string", user("displayName"), 42, /displayName must be a string, got 42/],
  ["an object for a string", user("displayName"), { a: 1 }, /must be a string, got an object/],
  ['"yes" for a boolean', user("active"), "yes", /active must be a boolean \(true or false\), got "yes"/],
  ["a fraction for an integer", loginCount, 1.5, /loginCount must be an integer/],
  ["a string for a decimal", score, "2.5", /score must be a number/],
  ["a bad dateTime", lastSeen, "yesterday", /lastSeen must be an xsd:dateTime/],
  [
    "a single object for a multi-valued attribute",
    user("emails"),
    { value: "a@example.com" },
    /emails is multi-valued and must be a JSON array/,
  ],
  ["a number for a complex attribute", user("name"), 7, /name must be a JSON object/],
  ["an array for a simple single-valued attribute", user("title"), ["x"], /title is single-valued and must not be an array/],
  ["an array of two for a single-valued complex attribute", manager, [{ value: "a" }, { value: "b" }], /manager is single-valued/],
  [
    "two primary values (rfc7643 2.4)",
    user("emails"),
    [
      { value: "a", primary: true },
      { value: "b", primary: "true" },
    ],
    /2 values with "primary": true/,
  ],
  ["an empty required string", user("userName"), " ", /userName is required and must not be empty/],
  ["a sub-attribute given twice in different case", user("name"), { givenName: "a", GIVENNAME: "b" }, /gives "givenName" twice/],
  ["a wrongly typed sub-attribute", user("emails"), [{ value: "a", primary: "maybe" }], /emails\[0\]\.primary must be a boolean/],
];

for (const [name, definition, input, detail] of rejected) {
  test(`coerceAttributeValue rejects ${name} with 400 invalidValue`, () => {
    assert.throws(
      () => coerceAttributeValue(definition, input, definition.name),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidValue" && detail.test(error.detail),
    );
  });
}

test("assertSinglePrimary accepts one primary", () => {
  assert.doesNotThrow(() => assertSinglePrimary([{ primary: true }, { primary: false }, {}], "emails"));
});

test("parseBooleanLenient reads JSON booleans and Entra's strings", () => {
  assert.equal(parseBooleanLenient(true), true);
  assert.equal(parseBooleanLenient("TRUE"), true);
  assert.equal(parseBooleanLenient("no"), undefined);
  assert.equal(parseBooleanLenient(1), undefined);
});
