import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePatchRequest, splitMemberOperations, urn } from "@scimgw/scim";
import { groupPatchSizeOf, type GroupPatchSize } from "./group-patch-size.js";

const patch = (...Operations: unknown[]) => ({ schemas: [urn.patchOp], Operations });

const rows: Array<[string, unknown, GroupPatchSize]> = [
  [
    "Entra adds two members in one operation",
    patch({ op: "Add", path: "members", value: [{ value: "u1" }, { value: "u2" }] }),
    { operations: 1, memberValues: 2 },
  ],
  ["Entra removes one member by filter", patch({ op: "Remove", path: 'members[value eq "u1"]' }), { operations: 1, memberValues: 1 }],
  [
    "Okta renames and replaces the members, path-less",
    patch({ op: "replace", value: { displayName: "Ops", members: [{ value: "u1" }, { value: "u2" }, { value: "u3" }] } }),
    { operations: 1, memberValues: 3 },
  ],
  ["removing all members names none", patch({ op: "remove", path: "members" }), { operations: 1, memberValues: 0 }],
  [
    "attribute operations name no members",
    patch({ op: "replace", path: "displayName", value: "A" }, { op: "add", path: "externalId", value: "x" }),
    { operations: 2, memberValues: 0 },
  ],
];

for (const [name, body, expected] of rows) {
  test(`group PATCH size: ${name}`, () => {
    const operations = parsePatchRequest(body);
    assert.deepEqual(groupPatchSizeOf(operations, splitMemberOperations(operations)), expected);
  });
}
