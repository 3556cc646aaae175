import { test } from "node:test";
import assert from "node:assert/strict";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { resourceTypeDocument } from "./resource-type-document.js";

test("the User resource type, as RFC 7643 §8.6 shows it, with the enterprise extension not required", () => {
  assert.deepEqual(resourceTypeDocument(userResourceType, { location: "https://example.com/v2/ResourceTypes/User" }), {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "User",
    name: "User",
    endpoint: "/Users",
    description: "User Account",
    schema: "urn:ietf:params:scim:schemas:core:2.0:User",
    schemaExtensions: [{ schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", required: false }],
    meta: { resourceType: "ResourceType", location: "https://example.com/v2/ResourceTypes/User" },
  });
});

test("the Group resource type has an empty schemaExtensions and no location unless given", () => {
  assert.deepEqual(resourceTypeDocument(groupResourceType), {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "Group",
    name: "Group",
    endpoint: "/Groups",
    description: "Group",
    schema: "urn:ietf:params:scim:schemas:core:2.0:Group",
    schemaExtensions: [],
    meta: { resourceType: "ResourceType" },
  });
});
