import { test } from "node:test";
import assert from "node:assert/strict";
import type { JsonObject } from "../resource/json-value.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { findSchemaDocument, resourceTypeListResponse, schemaListResponse } from "./discovery-lists.js";
import { resourceTypeSchema } from "./resource-type-schema.js";
import { schemaSchema } from "./schema-schema.js";
import { serviceProviderConfig } from "./service-provider-config.js";
import { serviceProviderConfigSchema } from "./service-provider-config-schema.js";
import { documentProblems, schemaAttributeProblems } from "./check-document.js";

// Every document the discovery endpoints serve, checked against the schema for its kind of
// resource (RFC 7643 §5, §6, §7 as data) and for the rules those schemas cannot express.

const options = { resourceTypes: [userResourceType, groupResourceType], baseUrl: "https://example.com/scim/v2" };
const schemaList = schemaListResponse(options);
const resourceTypeList = resourceTypeListResponse(options);
const serviceProviderConfigs: [string, JsonObject][] = [
  [
    "the gateway's",
    serviceProviderConfig(
      { patch: true, bulk: false, filter: { supported: true, maxResults: 200 }, changePassword: false, sort: true, etag: true },
      { location: "https://example.com/scim/v2/ServiceProviderConfig" },
    ),
  ],
  [
    "one with every optional member",
    serviceProviderConfig({
      patch: false,
      bulk: { maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: false, maxResults: 0 },
      changePassword: true,
      sort: false,
      etag: false,
      documentationUri: "https://example.com/help/scim.html",
      authenticationSchemes: [
        {
          type: "oauthbearertoken",
          name: "OAuth Bearer Token",
          description: "Bearer token",
          specUri: "https://www.rfc-editor.org/info/rfc6750",
          documentationUri: "https://example.com/help/oauth.html",
          primary: true,
        },
        { type: "httpbasic", name: "HTTP Basic", description: "Basic authentication", primary: false },
      ],
    }),
  ],
];

for (const document of schemaList["Resources"] as JsonObject[]) {
  if (document["id"] === schemaSchema.id) continue;
  test(`/Schemas/${String(document["id"])} is a valid Schema resource (RFC 7643 §7)`, () => {
    assert.deepEqual(documentProblems(document, schemaSchema), []);
    assert.deepEqual(schemaAttributeProblems(document), []);
  });
}

test("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Schema is valid against itself, to the depth data can state (RFC 7643 §7)", () => {
  const document = findSchemaDocument(schemaSchema.id, options);
  // Its attributes.subAttributes is complex, so its own document nests one level deeper than any
  // finite definition of it describes (schema-schema.ts). That one level is the only problem...
  assert.deepEqual(documentProblems(document, schemaSchema), [
    "attributes[3].subAttributes[11].subAttributes: not an attribute of the schema",
  ]);
  assert.deepEqual(schemaAttributeProblems(document), []);
  // ...and §7 says what it holds: sub-attributes described as "attributes" are, so check it as such.
  const attributes = document["attributes"] as JsonObject[];
  const described = (attributes[3]?.["subAttributes"] as JsonObject[] | undefined)?.[11];
  assert.equal(described?.["name"], "subAttributes");
  const innermost = { schemas: [schemaSchema.id], id: "innermost", name: "innermost", attributes: described?.["subAttributes"] ?? null };
  assert.deepEqual(documentProblems(innermost, schemaSchema), []);
});

for (const document of resourceTypeList["Resources"] as JsonObject[]) {
  test(`/ResourceTypes/${String(document["id"])} is a valid ResourceType resource (RFC 7643 §6)`, () => {
    assert.deepEqual(documentProblems(document, resourceTypeSchema), []);
  });
}

for (const [name, document] of serviceProviderConfigs) {
  test(`${name} /ServiceProviderConfig is a valid ServiceProviderConfig resource (RFC 7643 §5)`, () => {
    assert.deepEqual(documentProblems(document, serviceProviderConfigSchema), []);
  });
}

test("the schemas for schemas are served, so /Schemas describes its own documents (RFC 7643 §8.7.2)", () => {
  const served = (schemaList["Resources"] as JsonObject[]).map((d) => d["id"]);
  for (const schema of [schemaSchema, resourceTypeSchema, serviceProviderConfigSchema]) assert.ok(served.includes(schema.id), schema.id);
});

test("the lists are ListResponses holding every document (RFC 7644 §4, §3.4.2)", () => {
  for (const list of [schemaList, resourceTypeList]) {
    const resources = list["Resources"] as JsonObject[];
    assert.deepEqual(list["schemas"], ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    assert.equal(list["totalResults"], resources.length);
    assert.equal(list["itemsPerPage"], resources.length);
    assert.equal(list["startIndex"], 1);
  }
});

test("every document survives a JSON round trip unchanged (no undefined, no non-JSON values)", () => {
  for (const document of [schemaList, resourceTypeList, ...serviceProviderConfigs.map(([, d]) => d)]) {
    assert.deepEqual(JSON.parse(JSON.stringify(document)), document);
  }
});
