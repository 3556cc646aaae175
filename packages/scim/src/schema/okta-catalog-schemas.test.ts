import { test } from "node:test";
import assert from "node:assert/strict";
import { findResourceType, findSchemaDocument, resourceTypeListResponse, schemaListResponse } from "../discovery/discovery-lists.js";
import { resourceTypeSchema } from "../discovery/resource-type-schema.js";
import { schemaSchema } from "../discovery/schema-schema.js";
import { documentProblems, schemaAttributeProblems } from "../discovery/check-document.js";
import type { JsonObject } from "../resource/json-value.js";
import { catalogEntryResource } from "../resource/catalog-entry-resource.js";
import { catalogResourceType, oktaCatalogUrn, oktaEntitlementSchema, oktaRoleSchema } from "./okta-catalog-schemas.js";
import { groupResourceType, userResourceType } from "./resource-types.js";

// A tenant with a /Licenses entitlement type and a /Roles role type, as Okta's guide "Build a SCIM
// 2.0 server with entitlements" shows them; the documents checked against RFC 7643 §6 and §7.
const license = { name: "License", kind: "entitlement", endpoint: "/Licenses", description: "Licenses" } as const;
const role = { name: "Role", kind: "role", endpoint: "/Roles", description: "" } as const;
const options = {
  resourceTypes: [userResourceType, groupResourceType, catalogResourceType(license), catalogResourceType(role)],
  baseUrl: "https://example.com/services/scim/v2",
};

test("a catalog type is a ResourceType in Okta's shape: id = name, the Okta URN as schema (RFC 7643 §6)", () => {
  const document = findResourceType("license", options);
  assert.deepEqual(document, {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "License",
    name: "License",
    endpoint: "/Licenses",
    description: "Licenses",
    schema: oktaCatalogUrn.entitlement,
    schemaExtensions: [],
    meta: { resourceType: "ResourceType", location: "https://example.com/services/scim/v2/ResourceTypes/License" },
  });
  // RFC 7643 §6 has description optional; Okta shows it, so a type without one shows its name.
  assert.equal(findResourceType("Role", options)["description"], "Role");
  assert.equal(findResourceType("Role", options)["schema"], oktaCatalogUrn.role);
  for (const resourceType of resourceTypeListResponse(options)["Resources"] as JsonObject[])
    assert.deepEqual(documentProblems(resourceType, resourceTypeSchema), [], String(resourceType["id"]));
});

test("/Schemas lists Okta's Entitlement and Role schemas, each a valid Schema resource (RFC 7643 §7)", () => {
  const served = (schemaListResponse(options)["Resources"] as JsonObject[]).map((document) => document["id"]);
  assert.ok(served.includes(oktaCatalogUrn.entitlement));
  assert.ok(served.includes(oktaCatalogUrn.role));
  for (const urn of [oktaCatalogUrn.entitlement, oktaCatalogUrn.role]) {
    const document = findSchemaDocument(urn, options);
    assert.deepEqual(documentProblems(document, schemaSchema), []);
    assert.deepEqual(schemaAttributeProblems(document), []);
    // Every schema a ResourceType names resolves at /Schemas (RFC 7643 §6 "schema").
    assert.equal(document["id"], urn);
  }
  const names = (schema: typeof oktaEntitlementSchema) => schema.attributes.map((a) => a.name);
  assert.deepEqual(names(oktaEntitlementSchema), ["id", "displayName", "type", "description"]);
  assert.deepEqual(names(oktaRoleSchema), ["id", "displayName", "description"]);
  // Read-only over SCIM: the catalog is published over gRPC.
  assert.ok([...oktaEntitlementSchema.attributes, ...oktaRoleSchema.attributes].every((a) => a.mutability === "readOnly"));
});

test("without a catalog, /Schemas and /ResourceTypes stay as they were", () => {
  const plain = { resourceTypes: [userResourceType, groupResourceType] };
  const served = (schemaListResponse(plain)["Resources"] as JsonObject[]).map((document) => document["id"]);
  assert.ok(!served.includes(oktaCatalogUrn.entitlement));
  assert.equal((resourceTypeListResponse(plain)["Resources"] as JsonObject[]).length, 2);
});

const meta = { created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-02T00:00:00.000Z", version: 3n };
const entryCases: Array<[string, JsonObject, JsonObject]> = [
  [
    "an entitlement carries its type (the resource type's name)",
    catalogEntryResource(license, { id: "pro", displayName: "Pro", description: "Pro seats", meta }),
    {
      schemas: [oktaCatalogUrn.entitlement],
      id: "pro",
      displayName: "Pro",
      type: "License",
      description: "Pro seats",
      meta: { resourceType: "License", ...meta, version: 'W/"3"' },
    },
  ],
  [
    "a role has no type, and no description when it has none",
    catalogEntryResource(role, { id: "admin", displayName: "Administrator", description: "" }),
    { schemas: [oktaCatalogUrn.role], id: "admin", displayName: "Administrator" },
  ],
];
for (const [name, rendered, expected] of entryCases) {
  test(`catalog entries: ${name}`, () => {
    assert.deepEqual(rendered, expected);
    const schema = (rendered["schemas"] as string[])[0] === oktaCatalogUrn.role ? oktaRoleSchema : oktaEntitlementSchema;
    assert.deepEqual(documentProblems(rendered, schema), []);
  });
}
