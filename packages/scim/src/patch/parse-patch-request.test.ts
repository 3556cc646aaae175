import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError, type ScimType } from "../errors/scim-error.js";
import type { PatchOperation } from "./patch-operation.js";
import { parsePatchRequest } from "./parse-patch-request.js";

const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const request = (Operations: unknown[]) => ({ schemas: [patchOp], Operations });

const accepted: [string, unknown, PatchOperation[]][] = [
  [
    "rfc7644 3.5.2.1 add members",
    request([
      { op: "add", path: "members", value: [{ display: "Babs Jensen", $ref: "https://example.com/v2/Users/2819c223", value: "2819c223" }] },
    ]),
    [
      {
        op: "add",
        path: { attribute: "members" },
        value: [{ display: "Babs Jensen", $ref: "https://example.com/v2/Users/2819c223", value: "2819c223" }],
      },
    ],
  ],
  [
    "rfc7644 3.5.2.2 remove a member by filter",
    request([{ op: "remove", path: 'members[value eq "2819c223"]' }]),
    [
      {
        op: "remove",
        path: { attribute: "members", valueFilter: { kind: "compare", path: { attribute: "value" }, operator: "eq", value: "2819c223" } },
      },
    ],
  ],
  [
    "Okta deactivate: replace without path",
    request([{ op: "replace", value: { active: false } }]),
    [{ op: "replace", value: { active: false } }],
  ],
  [
    "Entra legacy: capitalised ops and a string boolean (MS-COMPAT)",
    request([
      { op: "Replace", path: "active", value: "False" },
      { op: "Add", path: "nickName", value: "Babs" },
      { op: "Remove", path: "members", value: [{ value: "u1091" }] },
    ]),
    [
      { op: "replace", path: { attribute: "active" }, value: "False" },
      { op: "add", path: { attribute: "nickName" }, value: "Babs" },
      { op: "remove", path: { attribute: "members" }, value: [{ value: "u1091" }] },
    ],
  ],
  [
    "member names in any case, operations in lower case",
    { Schemas: [patchOp.toUpperCase()], operations: [{ OP: "REPLACE", Path: "displayName", Value: "x" }] },
    [{ op: "replace", path: { attribute: "displayName" }, value: "x" }],
  ],
  [
    "replace with null keeps the null (it unassigns, rfc7643 2.5)",
    request([{ op: "replace", path: "title", value: null }]),
    [{ op: "replace", path: { attribute: "title" }, value: null }],
  ],
  ["an empty path is no path", request([{ op: "add", path: "", value: { title: "x" } }]), [{ op: "add", value: { title: "x" } }]],
  [
    "Microsoft's collection: extra members on the body and operations are ignored",
    { id: "g1", schemas: [patchOp], Operations: [{ name: "addMember", op: "add", path: "members", value: "string id 1" }] },
    [{ op: "add", path: { attribute: "members" }, value: "string id 1" }],
  ],
];

for (const [name, body, expected] of accepted) {
  test(`parsePatchRequest: ${name}`, () => {
    assert.deepEqual(parsePatchRequest(body), expected);
  });
}

const rejected: [string, unknown, ScimType, RegExp][] = [
  ["a body that is not an object", "x", "invalidSyntax", /must be a JSON object/],
  [
    "no schemas",
    { Operations: [{ op: "add", value: {} }] },
    "invalidSyntax",
    /"schemas" must contain "urn:ietf:params:scim:api:messages:2.0:PatchOp"/,
  ],
  [
    "the wrong schema",
    { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], Operations: [{ op: "add", value: {} }] },
    "invalidSyntax",
    /must contain/,
  ],
  ["no Operations", { schemas: [patchOp] }, "invalidSyntax", /non-empty "Operations" array/],
  ["empty Operations", request([]), "invalidSyntax", /non-empty "Operations" array/],
  ["an operation that is not an object", request(["add"]), "invalidSyntax", /Operations\[0\] must be a JSON object/],
  [
    "an unknown op",
    request([{ op: "move", path: "title" }]),
    "invalidSyntax",
    /Operations\[0\]: "op" must be "add", "remove" or "replace", got "move"/,
  ],
  ["a missing op", request([{ path: "title", value: "x" }]), "invalidSyntax", /got null/],
  ["remove without path (rfc7644 3.5.2.2)", request([{ op: "remove" }]), "noTarget", /"remove" needs a "path"/],
  ["add without value", request([{ op: "add", path: "title" }]), "invalidValue", /"add" needs a "value"/],
  [
    "replace without value",
    request([
      { op: "add", path: "title", value: 1 },
      { op: "replace", path: "title" },
    ]),
    "invalidValue",
    /Operations\[1\]: "replace" needs a "value"/,
  ],
  [
    "a malformed path",
    request([{ op: "replace", path: 'emails[type eq "work"', value: "x" }]),
    "invalidPath",
    /Operations\[0\]: path "emails\[type eq "work"": expected "and", "or" or "\]"/,
  ],
  ["a path that is not a string", request([{ op: "replace", path: 3, value: "x" }]), "invalidPath", /"path" must be a string/],
];

for (const [name, body, scimType, detail] of rejected) {
  test(`parsePatchRequest rejects ${name}: 400 ${scimType}`, () => {
    assert.throws(
      () => parsePatchRequest(body),
      (error: unknown) => error instanceof ScimError && error.status === 400 && error.scimType === scimType && detail.test(error.detail),
    );
  });
}
