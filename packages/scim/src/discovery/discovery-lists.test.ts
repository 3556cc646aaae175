import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { JsonObject } from "../resource/json-value.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { findResourceType, findSchemaDocument, resourceTypeListResponse, schemaListResponse, servedSchemas } from "./discovery-lists.js";

const both = { resourceTypes: [userResourceType, groupResourceType], baseUrl: "https://example.com/scim/v2/" };

function ids(list: JsonObject): unknown[] {
  return (list["Resources"] as JsonObject[]).map((r) => r["id"]);
}

test("/Schemas lists the served resource types' schemas and extensions, then the discovery schemas", () => {
  const list = schemaListResponse(both);
  assert.deepEqual(list["schemas"], ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
  assert.deepEqual(ids(list), [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
    "urn:ietf:params:scim:schemas:core:2.0:Schema",
  ]);
  assert.equal(list["totalResults"], 6);
  assert.equal(list["itemsPerPage"], 6);
  assert.equal(list["startIndex"], 1);
});

test("a resource type the server does not serve brings no schema (the gateway owns the truth)", () => {
  const ids = servedSchemas([userResourceType]).map((s) => s.id);
  assert.equal(ids.includes("urn:ietf:params:scim:schemas:core:2.0:Group"), false);
  assert.throws(() => findSchemaDocument("urn:ietf:params:scim:schemas:core:2.0:Group", { resourceTypes: [userResourceType] }), ScimError);
});

test("/ResourceTypes lists the served resource types", () => {
  const list = resourceTypeListResponse(both);
  assert.deepEqual(ids(list), ["User", "Group"]);
  assert.equal(list["totalResults"], 2);
});

test("each listed document's location is its own URL under the base URL (RFC 7644 §4)", () => {
  const schemas = schemaListResponse(both)["Resources"] as JsonObject[];
  assert.deepEqual(schemas[0]?.["meta"], {
    resourceType: "Schema",
    location: "https://example.com/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
  });
  const resourceTypes = resourceTypeListResponse(both)["Resources"] as JsonObject[];
  assert.deepEqual(resourceTypes[1]?.["meta"], {
    resourceType: "ResourceType",
    location: "https://example.com/scim/v2/ResourceTypes/Group",
  });
  assert.deepEqual(findResourceType("User", { resourceTypes: [userResourceType] })["meta"], { resourceType: "ResourceType" });
});

test("GET by id returns the single document, the same one the list holds", () => {
  const listed = schemaListResponse(both)["Resources"] as JsonObject[];
  assert.deepEqual(findSchemaDocument("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", both), listed[1]);
  assert.deepEqual(findResourceType("Group", both), (resourceTypeListResponse(both)["Resources"] as JsonObject[])[1]);
});

test("ids are matched ignoring case", () => {
  assert.equal(findSchemaDocument("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER", both)["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
  assert.equal(findResourceType("user", both)["id"], "User");
});

test("every schema a resource type names can be fetched from /Schemas", () => {
  for (const resourceType of resourceTypeListResponse(both)["Resources"] as JsonObject[]) {
    const extensions = (resourceType["schemaExtensions"] as JsonObject[]).map((e) => e["schema"]);
    for (const id of [resourceType["schema"], ...extensions]) {
      assert.equal(findSchemaDocument(String(id), both)["id"], id);
    }
  }
});

const unknown: [string, () => unknown, string][] = [
  ["schema", () => findSchemaDocument("urn:example:Nope", both), 'no schema "urn:example:Nope" is served here'],
  [
    "resource type",
    () => findResourceType("Device", both),
    'no resource type "Device" is served here; the resource types are "User", "Group"',
  ],
  ["resource type with none served", () => findResourceType("User", { resourceTypes: [] }), "the resource types are none"],
];

for (const [name, find, detail] of unknown) {
  test(`an unknown ${name} is a 404 naming the id`, () => {
    assert.throws(find, (error) => {
      assert.ok(error instanceof ScimError);
      assert.equal(error.status, 404);
      assert.equal(error.scimType, undefined);
      assert.ok(error.detail.includes(detail), error.detail);
      return true;
    });
  });
}
