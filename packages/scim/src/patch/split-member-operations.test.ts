import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePatchRequest } from "./parse-patch-request.js";
import { splitMemberOperations } from "./split-member-operations.js";

const patch = (...Operations: unknown[]) =>
  splitMemberOperations(parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations }));

test("Okta: remove by filter and add a list in one request, in order", () => {
  assert.deepEqual(
    patch(
      { op: "remove", path: 'members[value eq "u1"]' },
      { op: "add", path: "members", value: [{ value: "u2", display: "U 2" }, { value: "u3" }] },
    ),
    [
      { kind: "members", change: { kind: "remove", ids: ["u1"] } },
      { kind: "members", change: { kind: "add", ids: ["u2", "u3"] } },
    ],
  );
});

test("Okta: a path-less replace with id and displayName is an attribute operation", () => {
  assert.deepEqual(patch({ op: "replace", value: { id: "g1", displayName: "Renamed" } }), [
    { kind: "attributes", operations: [{ op: "replace", value: { id: "g1", displayName: "Renamed" } }] },
  ]);
});

test("Okta: a full push replaces the members", () => {
  assert.deepEqual(patch({ op: "replace", path: "members", value: [{ value: "u1" }, { value: "u2" }] }), [
    { kind: "members", change: { kind: "replace", ids: ["u1", "u2"] } },
  ]);
});

test("Entra: capitalised ops, remove with a value list, add with $ref null", () => {
  assert.deepEqual(
    patch(
      { op: "Add", path: "members", value: [{ $ref: null, value: "u1" }] },
      { op: "Remove", path: "members", value: [{ $ref: null, value: "u2" }] },
      { op: "Replace", path: "displayName", value: "New" },
    ),
    [
      { kind: "members", change: { kind: "add", ids: ["u1"] } },
      { kind: "members", change: { kind: "remove", ids: ["u2"] } },
      { kind: "attributes", operations: [{ op: "replace", path: { attribute: "displayName" }, value: "New" }] },
    ],
  );
});

test("remove of members without a value removes all (RFC 7644 §3.5.2.2); or-joined ids remove several", () => {
  assert.deepEqual(patch({ op: "remove", path: "members" }), [{ kind: "members", change: { kind: "removeAll" } }]);
  assert.deepEqual(patch({ op: "remove", path: 'members[value eq "a" or value eq "b"]' }), [
    { kind: "members", change: { kind: "remove", ids: ["a", "b"] } },
  ]);
});

test("a path-less value with members and other attributes is split", () => {
  assert.deepEqual(patch({ op: "add", value: { displayName: "X", members: [{ value: "u9" }] } }), [
    { kind: "attributes", operations: [{ op: "add", value: { displayName: "X" } }] },
    { kind: "members", change: { kind: "add", ids: ["u9"] } },
  ]);
});

test("what cannot be answered by member id is refused with the right scimType", () => {
  const scimType = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { scimType?: string }).scimType;
    }
    return "no error";
  };
  assert.equal(
    scimType(() => patch({ op: "remove", path: 'members[display co "x"]' })),
    "invalidFilter",
  );
  assert.equal(
    scimType(() => patch({ op: "add", path: "members", value: [{ display: "no id" }] })),
    "invalidValue",
  );
  assert.equal(
    scimType(() => patch({ op: "replace", path: 'members[value eq "a"].value', value: "b" })),
    "mutability",
  );
});
