import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { AttributePath } from "./attribute-path.js";
import { groupResourceType, userResourceType } from "./resource-types.js";
import { formatAttributePath, lookupAttributePath, resolveAttributePath } from "./resolve-attribute-path.js";
import { urn } from "./urns.js";

const resolves: [string, AttributePath, AttributePath][] = [
  ["core attribute, other case (rfc7643 2.1)", { attribute: "USERNAME" }, { attribute: "userName" }],
  ["sub-attribute", { attribute: "name", subAttribute: "familyname" }, { attribute: "name", subAttribute: "familyName" }],
  ["common attribute id", { attribute: "ID" }, { attribute: "id" }],
  ["common attribute meta.created", { attribute: "meta", subAttribute: "Created" }, { attribute: "meta", subAttribute: "created" }],
  ["core URN prefix is dropped", { schema: urn.user, attribute: "userName" }, { attribute: "userName" }],
  [
    "core URN in other case",
    { schema: urn.user.toUpperCase(), attribute: "name", subAttribute: "givenName" },
    { attribute: "name", subAttribute: "givenName" },
  ],
  [
    "extension attribute by URN",
    { schema: urn.enterpriseUser, attribute: "employeenumber" },
    { schema: urn.enterpriseUser, attribute: "employeeNumber" },
  ],
  [
    'extension attribute without URN (Entra path "manager")',
    { attribute: "Manager", subAttribute: "VALUE" },
    { schema: urn.enterpriseUser, attribute: "manager", subAttribute: "value" },
  ],
  ["$ref sub-attribute", { attribute: "members", subAttribute: "$REF" }, { attribute: "members", subAttribute: "$ref" }],
  ["schemas pseudo-attribute", { attribute: "Schemas" }, { attribute: "schemas" }],
];

for (const [name, input, expected] of resolves) {
  test(`resolveAttributePath: ${name}`, () => {
    const resourceType = input.attribute.toLowerCase() === "members" ? groupResourceType : userResourceType;
    assert.deepEqual(resolveAttributePath(input, resourceType).path, expected);
  });
}

test("resolveAttributePath returns the definitions the directory needs (type, caseExact)", () => {
  const resolved = resolveAttributePath({ attribute: "emails", subAttribute: "value" }, userResourceType);
  assert.equal(resolved.attribute.multiValued, true);
  assert.equal(resolved.subAttribute?.type, "string");
  assert.equal(resolved.subAttribute?.caseExact, false);
  assert.equal(resolved.extension, undefined);
  const manager = resolveAttributePath({ attribute: "manager" }, userResourceType);
  assert.equal(manager.extension, urn.enterpriseUser);
});

const failures: [string, AttributePath, RegExp][] = [
  ["unknown attribute", { attribute: "nickname2" }, /unknown attribute "nickname2"/],
  ["unknown sub-attribute", { attribute: "name", subAttribute: "nick" }, /"name" has no sub-attribute "nick"/],
  ["sub-attribute of a simple attribute", { attribute: "userName", subAttribute: "x" }, /"userName" has no sub-attributes/],
  ["unknown schema", { schema: "urn:example:ext", attribute: "x" }, /unknown schema "urn:example:ext"/],
  ["attribute of another schema", { schema: urn.enterpriseUser, attribute: "userName" }, /unknown attribute/],
  ["a whole extension", { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", attribute: "User" }, /names a schema extension/],
];

for (const [name, input, detail] of failures) {
  test(`resolveAttributePath rejects ${name} with invalidFilter`, () => {
    assert.throws(
      () => resolveAttributePath(input, userResourceType),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidFilter" && detail.test(error.detail),
    );
  });
}

test("resolveAttributePath throws the scimType the caller names", () => {
  assert.throws(
    () => resolveAttributePath({ attribute: "nope" }, userResourceType, "invalidPath"),
    (error: unknown) => error instanceof ScimError && error.scimType === "invalidPath",
  );
});

test("lookupAttributePath recognises a whole extension", () => {
  const lookup = lookupAttributePath(
    { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", attribute: "user" },
    userResourceType,
  );
  assert.equal(lookup.kind, "extension");
});

test("formatAttributePath writes RFC 7644 3.10 notation", () => {
  assert.equal(formatAttributePath({ attribute: "name", subAttribute: "givenName" }), "name.givenName");
  assert.equal(formatAttributePath({ schema: urn.enterpriseUser, attribute: "manager" }), `${urn.enterpriseUser}:manager`);
});
