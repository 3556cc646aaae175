// Property tests of PATCH (RFC 7644 §3.5.2): parsePatchRequest then applyPatch, on Users and Groups.
// Whatever body a client sends, the answer is a patched copy or a 400 ScimError, never another
// exception; the input is never changed; and the spellings IdPs use mean what the canonical ones do.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzParameters, hostileString, patchBody, patchOperation } from "@scimgw/test-fuzz";
import { ScimError } from "../errors/scim-error.js";
import { cloneJson, type ScimResource } from "../resource/json-value.js";
import { normalizeResource } from "../resource/normalize-resource.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";
import { applyPatch } from "./apply-patch.js";
import { parsePatchRequest } from "./parse-patch-request.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const user: ScimResource = normalizeResource(
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
    id: "u1",
    userName: "bjensen@example.com",
    externalId: "701984",
    name: { givenName: "Barbara", familyName: "Jensen" },
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ],
    phoneNumbers: [{ value: "555", type: "mobile" }],
    active: true,
    [enterprise]: { employeeNumber: "701984", manager: { value: "mgr-1" } },
  },
  userResourceType,
  "replace",
);

const group: ScimResource = normalizeResource(
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    id: "g1",
    displayName: "Tour Guides",
    members: [
      { value: "u1", type: "User" },
      { value: "u2", display: "Two" },
    ],
  },
  groupResourceType,
  "replace",
);

const targets: ReadonlyArray<readonly [string, ResourceTypeDefinition, ScimResource]> = [
  ["User", userResourceType, user],
  ["Group", groupResourceType, group],
];

/** parsePatchRequest + applyPatch; a ScimError must be a 400 with a scimType (RFC 7644 §3.12). */
function patch(resource: ScimResource, body: unknown, resourceType: ResourceTypeDefinition): ScimResource | ScimError {
  try {
    return applyPatch(resource, parsePatchRequest(body), resourceType);
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    assert.equal(error.status, 400, error.message);
    assert.notEqual(error.scimType, undefined, error.message);
    return error;
  }
}

/** What a client sees of a result: the resource, or the error's scimType (details may quote the input). */
function outcome(resource: ScimResource, body: unknown, resourceType: ResourceTypeDefinition): unknown {
  const result = patch(resource, body, resourceType);
  return result instanceof ScimError ? { scimType: result.scimType } : result;
}

const bodyOf = (...operations: unknown[]) => ({ schemas: [patchOp], Operations: operations });

for (const [name, resourceType, resource] of targets) {
  test(`any PATCH body on a ${name} is a patched copy or a 400, and leaves the input alone`, () => {
    fc.assert(
      fc.property(patchBody, (body) => {
        const before = cloneJson(resource);
        const result = patch(resource, body, resourceType);
        assert.deepEqual(resource, before);
        if (result instanceof ScimError) return;
        // The patched resource is one a PUT could have sent: applyPatch types values by the same rules.
        normalizeResource(result, resourceType, "replace");
      }),
      fuzzParameters(800),
    );
  });

  test(`any path and value in a ${name} PATCH is a result or a 400`, () => {
    fc.assert(
      fc.property(fc.array(patchOperation, { minLength: 1, maxLength: 6 }), (operations) => {
        patch(resource, bodyOf(...operations), resourceType);
      }),
      fuzzParameters(800),
    );
  });
}

/** Renames the keys of an object to another case, as some clients send `Op`, `PATH`, `Value`. */
const recased = (operation: Record<string, unknown>, upper: boolean[]) =>
  Object.fromEntries(Object.entries(operation).map(([key, value], index) => [upper[index] ? key.toUpperCase() : key, value]));

test("op names and member names mean the same in any case (Entra sends Add, Replace, Remove)", () => {
  fc.assert(
    fc.property(patchOperation, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (operation, upper) => {
      const canonical = operation as Record<string, unknown>;
      const op = Object.entries(canonical).find(([key]) => key.toLowerCase() === "op")?.[1];
      const shouted = recased({ ...canonical, ...(typeof op === "string" ? { op: upper[3] ? op.toUpperCase() : op } : {}) }, upper);
      for (const [, resourceType, resource] of targets) {
        assert.deepEqual(outcome(resource, bodyOf(shouted), resourceType), outcome(resource, bodyOf(operation), resourceType));
      }
    }),
    fuzzParameters(500),
  );
});

test('booleans sent as "True" and "false" strings (Entra) mean true and false', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.constantFrom("add", "Replace"), fc.array(fc.boolean(), { maxLength: 5 }), (value, op, upper) => {
      const text = [...String(value)].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("");
      assert.deepEqual(
        outcome(user, bodyOf({ op, path: "active", value: text }), userResourceType),
        outcome(user, bodyOf({ op, path: "active", value }), userResourceType),
      );
      assert.deepEqual(
        outcome(user, bodyOf({ op, value: { active: text } }), userResourceType),
        outcome(user, bodyOf({ op, path: "active", value }), userResourceType),
      );
    }),
    fuzzParameters(100),
  );
});

const dottedPaths = [
  "name.givenName",
  "name.familyName",
  "displayName",
  "title",
  "userName",
  `${enterprise}:employeeNumber`,
  `${enterprise}:department`,
  `${enterprise}:manager`,
];

test("a dotted or URN key in a path-less value means what the same path does (MS-COMPAT)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...dottedPaths),
      fc.oneof(hostileString, fc.constantFrom(null, "", { value: "mgr-2" })),
      fc.constantFrom("add", "replace"),
      (path, value, op) => {
        const viaPath = outcome(user, bodyOf({ op, path, value }), userResourceType);
        const viaKey = outcome(user, bodyOf({ op, value: { [path]: value } }), userResourceType);
        assert.deepEqual(viaKey, viaPath);
      },
    ),
    fuzzParameters(300),
  );
});

test("a replace with a plain path, applied twice, is the same as once", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...dottedPaths, "emails", "active", "nickName", "phoneNumbers"),
      fc.oneof(hostileString, fc.constantFrom(true, false, null, [{ value: "a@b.c", type: "work" }])),
      (path, value) => {
        const once = patch(user, bodyOf({ op: "replace", path, value }), userResourceType);
        if (once instanceof ScimError) return;
        assert.deepEqual(outcome(once, bodyOf({ op: "replace", path, value }), userResourceType), once);
      },
    ),
    fuzzParameters(300),
  );
});
