import { test } from "node:test";
import assert from "node:assert/strict";
import { ChangedResourceType } from "@scimgw/proto";
import { changedResource } from "./changed-resource.js";

const rows: [ChangedResourceType, string, string, string][] = [
  [ChangedResourceType.USER, "u1", "", "User u1"],
  [ChangedResourceType.GROUP, "g1", "", "Group g1"],
  [ChangedResourceType.ENTITLEMENT, "pro", "License", "Entitlement License / pro"],
  [ChangedResourceType.ROLE, "admin", "Role", "Role Role / admin"],
  [ChangedResourceType.ENTITLEMENT_TYPE, "License", "License", "Catalog type License"],
  [
    ChangedResourceType.SCHEMA_EXTENSION,
    "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
    "",
    "Schema extension urn:ietf:params:scim:schemas:extension:acme:2.0:User",
  ],
  [99 as ChangedResourceType, "x1", "", "x1"],
];

for (const [resourceType, resourceId, catalogType, expected] of rows) {
  test(`the change feed page names a ${ChangedResourceType[resourceType] ?? "newer"} event "${expected}"`, () => {
    assert.equal(changedResource({ resourceType, resourceId, catalogType }), expected);
  });
}
