import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { JsonObject, JsonValue } from "../resource/json-value.js";
import { groupSchema } from "../schema/group-schema.js";
import { findAttribute, type AttributeDefinition } from "../schema/schema-definition.js";
import { userSchema } from "../schema/user-schema.js";
import { addValues, keepOnePrimary, mergeSubAttributes, removeValues, sameValue } from "./multi-valued.js";

const emails = findAttribute(userSchema.attributes, "emails") as AttributeDefinition;
const addresses = findAttribute(userSchema.attributes, "addresses") as AttributeDefinition;
const members = findAttribute(groupSchema.attributes, "members") as AttributeDefinition;

const same: [string, AttributeDefinition, JsonValue, JsonValue, boolean][] = [
  ["same email in other case (caseExact false)", emails, { value: "A@x.org", type: "work" }, { value: "a@X.org" }, true],
  ["same address, different type", emails, { value: "a@x.org", type: "work" }, { value: "a@x.org", type: "home" }, false],
  ["member by value only", members, { value: "u1", $ref: "https://x/Users/u1", type: "User" }, { value: "u1" }, true],
  ["different members", members, { value: "u1" }, { value: "u2" }, false],
  ["addresses equal apart from primary", addresses, { type: "work", locality: "X", primary: true }, { type: "work", locality: "X" }, true],
  ["addresses that differ", addresses, { type: "work", locality: "X" }, { type: "work", locality: "Y" }, false],
];

for (const [name, definition, a, b, expected] of same) {
  test(`sameValue: ${name}`, () => {
    assert.equal(sameValue(definition, a, b), expected);
  });
}

test("addValues appends new values and merges existing ones", () => {
  const existing: JsonValue[] = [{ value: "u1" }];
  const { values, promoted } = addValues(members, existing, [{ value: "u1", type: "User" }, { value: "u2" }], "members");
  assert.deepEqual(values, [{ value: "u1", type: "User" }, { value: "u2" }]);
  assert.deepEqual(promoted, []);
});

test("addValues reports the value it made primary", () => {
  const existing: JsonValue[] = [{ value: "a@x.org", primary: true }, { value: "b@x.org" }];
  const { values, promoted } = addValues(emails, existing, [{ value: "b@x.org", primary: true }], "emails");
  assert.equal(promoted.length, 1);
  assert.equal(promoted[0], values[1]);
});

test("removeValues removes values that are the same", () => {
  assert.deepEqual(removeValues(members, [{ value: "u1" }, { value: "u2" }], [{ value: "U1" }]), [{ value: "u2" }]);
});

test("keepOnePrimary clears primary on the other values (rfc7644 3.5.2)", () => {
  const chosen: JsonObject = { value: "b", primary: true };
  const values: JsonValue[] = [{ value: "a", primary: true }, chosen, { value: "c" }];
  keepOnePrimary(values, [chosen], "emails");
  assert.deepEqual(values, [{ value: "a", primary: false }, { value: "b", primary: true }, { value: "c" }]);
});

test("keepOnePrimary refuses two new primaries (rfc7643 2.4)", () => {
  const a: JsonObject = { value: "a", primary: true };
  const b: JsonObject = { value: "b", primary: true };
  assert.throws(
    () => keepOnePrimary([a, b], [a, b], "emails"),
    (error: unknown) =>
      error instanceof ScimError && error.scimType === "invalidValue" && /make 2 values of emails primary/.test(error.detail),
  );
});

test("mergeSubAttributes refuses to change an immutable sub-attribute", () => {
  assert.throws(
    () => mergeSubAttributes(members, { value: "u1", type: "User" }, { type: "Group" }, "members"),
    (error: unknown) => error instanceof ScimError && error.scimType === "mutability",
  );
  const target: JsonObject = { value: "u1" };
  mergeSubAttributes(members, target, { type: "User" }, "members");
  assert.deepEqual(target, { value: "u1", type: "User" });
});
