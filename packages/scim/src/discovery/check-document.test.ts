import { test } from "node:test";
import assert from "node:assert/strict";
import { resourceTypeSchema } from "./resource-type-schema.js";
import { schemaSchema } from "./schema-schema.js";
import { serviceProviderConfigSchema } from "./service-provider-config-schema.js";
import { documentProblems, schemaAttributeProblems } from "./check-document.js";

// The checker must reject what it is there to catch, or the validation tests prove nothing.

const validSchema = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
  id: "urn:example:Thing",
  name: "Thing",
  attributes: [
    {
      name: "size",
      type: "integer",
      multiValued: false,
      required: false,
      mutability: "readWrite",
      returned: "default",
      uniqueness: "none",
    },
  ],
  meta: { resourceType: "Schema", location: "https://example.com/Schemas/urn:example:Thing" },
};

test("a valid Schema document has no problems", () => {
  assert.deepEqual(documentProblems(validSchema, schemaSchema), []);
});

const invalid: [string, (d: typeof validSchema) => unknown, string][] = [
  [
    "schemas must list the schema",
    (d) => ({ ...d, schemas: ["urn:other"] }),
    'schemas: does not list "urn:ietf:params:scim:schemas:core:2.0:Schema"',
  ],
  ["a required attribute is missing", ({ id: _id, ...d }) => d, "id: required but missing"],
  ["an empty required multi-valued attribute is missing (§2.5)", (d) => ({ ...d, attributes: [] }), "attributes: required but missing"],
  ["an unknown member", (d) => ({ ...d, version: 2 }), "version: not an attribute of the schema"],
  ["a wrongly spelled member", ({ name, ...d }) => ({ ...d, Name: name }), "name: required but missing"],
  ["a string of the wrong type", (d) => ({ ...d, name: 7 }), "name: expected type string, got 7"],
  [
    "a multi-valued attribute not an array",
    (d) => ({ ...d, attributes: d.attributes[0] }),
    "attributes: multi-valued, so must be an array",
  ],
  ["a single-valued attribute as an array", (d) => ({ ...d, description: ["x"] }), "description: single-valued, so must not be an array"],
  ["null instead of leaving out", (d) => ({ ...d, description: null }), "description: null; an unassigned attribute is left out"],
  [
    "a type outside the canonical values",
    (d) => ({ ...d, attributes: [{ ...d.attributes[0], type: "int" }] }),
    'attributes[0].type: "int" is not one of string, boolean, decimal, integer, dateTime, reference, complex, binary',
  ],
  [
    "a mutability outside the canonical values",
    (d) => ({ ...d, attributes: [{ ...d.attributes[0], mutability: "readonly" }] }),
    'attributes[0].mutability: "readonly" is not one of readOnly, readWrite, immutable, writeOnly',
  ],
  [
    "a returned outside the canonical values",
    (d) => ({ ...d, attributes: [{ ...d.attributes[0], returned: "sometimes" }] }),
    'attributes[0].returned: "sometimes" is not one of always, never, default, request',
  ],
  [
    "a uniqueness outside the canonical values",
    (d) => ({ ...d, attributes: [{ ...d.attributes[0], uniqueness: "tenant" }] }),
    'attributes[0].uniqueness: "tenant" is not one of none, server, global',
  ],
  [
    "a boolean characteristic as a string",
    (d) => ({ ...d, attributes: [{ ...d.attributes[0], multiValued: "false" }] }),
    'attributes[0].multiValued: expected type boolean, got "false"',
  ],
  [
    "a sub-attribute missing its name",
    (d) => ({ ...d, attributes: [{ type: "string", multiValued: false }] }),
    "attributes[0].name: required but missing",
  ],
  ["a common attribute of the wrong shape", (d) => ({ ...d, meta: "Schema" }), 'meta: expected type complex, got "Schema"'],
];

for (const [name, change, problem] of invalid) {
  test(`documentProblems catches ${name}`, () => {
    const problems = documentProblems(change(validSchema) as never, schemaSchema);
    assert.ok(problems.includes(problem), `got ${JSON.stringify(problems)}`);
  });
}

test("documentProblems checks integers and sub-attributes of complex values", () => {
  const problems = documentProblems(
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0.5 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: {},
      authenticationSchemes: [{ type: "apikey", name: "Key", description: "A key" }],
    },
    serviceProviderConfigSchema,
  );
  assert.deepEqual(problems, [
    "bulk.maxPayloadSize: required but missing",
    "bulk.maxOperations: expected type integer, got 0.5",
    "etag.supported: required but missing",
    'authenticationSchemes[0].type: "apikey" is not one of oauth, oauth2, oauthbearertoken, httpbasic, httpdigest',
  ]);
});

test("documentProblems accepts schemaExtensions left empty (RFC 7643 §6: OPTIONAL)", () => {
  const document = { schemas: [resourceTypeSchema.id], name: "Group", endpoint: "/Groups", schema: "urn:x", schemaExtensions: [] };
  assert.deepEqual(documentProblems(document, resourceTypeSchema), []);
});

test("schemaAttributeProblems catches misplaced subAttributes and referenceTypes and bad names", () => {
  const problems = schemaAttributeProblems({
    attributes: [
      { name: "a", type: "string", subAttributes: [] },
      { name: "b", type: "complex" },
      { name: "c", type: "reference" },
      { name: "d", type: "string", referenceTypes: ["User"] },
      { name: "1e", type: "string" },
      { name: "A", type: "string" },
      {
        name: "f",
        type: "complex",
        subAttributes: [
          { name: "$ref", type: "reference", referenceTypes: ["User"] },
          { name: "g", type: "boolean", subAttributes: [] },
        ],
      },
    ],
  });
  assert.deepEqual(problems, [
    "attributes[0] (a): subAttributes on a string attribute",
    "attributes[1] (b): a complex attribute needs subAttributes",
    "attributes[2] (c): a reference needs referenceTypes",
    "attributes[3] (d): referenceTypes on a string attribute",
    "attributes[4] (1e): the name is not an ATTRNAME",
    "attributes[5] (A): the name repeats, ignoring case",
    "attributes[6] (f).subAttributes[1] (g): subAttributes on a boolean attribute",
  ]);
});

test("schemaAttributeProblems catches a complex sub-attribute (RFC 7643 §2.3.8) except in the schema for schemas", () => {
  const nested = {
    attributes: [
      { name: "a", type: "complex", subAttributes: [{ name: "b", type: "complex", subAttributes: [{ name: "c", type: "string" }] }] },
    ],
  };
  assert.deepEqual(schemaAttributeProblems(nested), ["attributes[0] (a).subAttributes[0] (b): a sub-attribute must not be complex"]);
  assert.deepEqual(schemaAttributeProblems({ ...nested, id: schemaSchema.id }), []);
});
