import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPatch } from "../patch/apply-patch.js";
import { parsePatchRequest } from "../patch/parse-patch-request.js";
import { userResourceType } from "../schema/resource-types.js";
import { urn } from "../schema/urns.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { normalizeResource } from "./normalize-resource.js";

// Users' roles and entitlements as Okta and Entra send them (docs: /work/notes, MS-ATTR, Okta's
// "Build a SCIM 2.0 server with entitlements"): the body or PATCH, and the roles/entitlements stored.
const user = (extra: JsonObject) => normalizeResource({ schemas: [urn.user], userName: "ada", ...extra }, userResourceType, "create");
const patch = (resource: JsonObject, ...Operations: JsonObject[]) =>
  applyPatch(resource, parsePatchRequest({ schemas: [urn.patchOp], Operations }), userResourceType);

const admin = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Administrator"}';
const reader = '{"id":"a1b2","value":"Reader","displayName":"Reader"}';

const cases: Array<[string, () => JsonObject, JsonObject]> = [
  [
    "Okta POST: entitlements with type, roles without",
    () =>
      user({
        entitlements: [{ value: "pro", display: "Pro", type: "License" }],
        roles: [{ value: "role123", display: "First Role" }],
      }),
    { entitlements: [{ value: "pro", display: "Pro", type: "License" }], roles: [{ value: "role123", display: "First Role" }] },
  ],
  [
    'Entra SingleAppRoleAssignment POST: primary as the string "True" and the forced type',
    () => user({ roles: [{ primary: "True", type: "WindowsAzureActiveDirectoryRole", value: "Admin" }] }),
    { roles: [{ value: "Admin", type: "WindowsAzureActiveDirectoryRole", primary: true }] },
  ],
  [
    "Entra AppRoleAssignmentsComplex POST: displayName stands for display, every role primary false",
    () =>
      user({
        roles: [
          { primary: false, type: "WindowsAzureActiveDirectoryRole", displayName: "Admin", value: "Admin" },
          { primary: "False", type: "WindowsAzureActiveDirectoryRole", displayName: "User", value: "User" },
        ],
      }),
    {
      roles: [
        { value: "Admin", display: "Admin", type: "WindowsAzureActiveDirectoryRole", primary: false },
        { value: "User", display: "User", type: "WindowsAzureActiveDirectoryRole", primary: false },
      ],
    },
  ],
  [
    'Entra SingleAppRoleAssignment PATCH: add roles[primary eq "True"].value creates the primary role',
    () => patch(user({}), { op: "Add", path: 'roles[primary eq "True"].value', value: "Admin" }),
    { roles: [{ value: "Admin", primary: true }] },
  ],
  [
    'Entra SingleAppRoleAssignment PATCH: replace roles[primary eq "True"].value changes that role only',
    () =>
      patch(user({ roles: [{ value: "Admin", primary: true }, { value: "Auditor" }] }), {
        op: "Replace",
        path: 'roles[primary eq "True"].value',
        value: "Reader",
      }),
    { roles: [{ value: "Reader", primary: true }, { value: "Auditor" }] },
  ],
  [
    "Entra AppRoleAssignmentsComplex PATCH: Add roles with the assignments as JSON strings",
    () => patch(user({ roles: [{ value: "User" }] }), { op: "Add", path: "roles", value: [{ value: admin }, { value: reader }] }),
    { roles: [{ value: "User" }, { value: "Admin", display: "Administrator" }, { value: "Reader", display: "Reader" }] },
  ],
  [
    "Entra AssertiveAppRoleAssignmentsComplex PATCH: replace roles with the whole set",
    () =>
      patch(user({ roles: [{ value: "Admin" }, { value: "Auditor" }] }), {
        op: "replace",
        path: "roles",
        value: [{ primary: false, type: "WindowsAzureActiveDirectoryRole", display: "User", value: "User" }],
      }),
    { roles: [{ value: "User", display: "User", type: "WindowsAzureActiveDirectoryRole", primary: false }] },
  ],
  [
    "a value that only looks like JSON stays as sent",
    () => user({ roles: [{ value: "{not json" }, { value: '{"id":"x"}' }] }),
    { roles: [{ value: "{not json" }, { value: '{"id":"x"}' }] },
  ],
];

for (const [name, run, expected] of cases) {
  test(name, () => {
    const result = run();
    const picked: Record<string, JsonValue | undefined> = {};
    for (const key of Object.keys(expected)) picked[key] = result[key];
    assert.deepEqual(picked, expected);
  });
}
