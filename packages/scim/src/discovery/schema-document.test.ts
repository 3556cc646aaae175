import { test } from "node:test";
import assert from "node:assert/strict";
import { isJsonObject, type JsonObject, type JsonValue } from "../resource/json-value.js";
import { groupSchema } from "../schema/group-schema.js";
import type { AttributeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import { enterpriseUserSchema, userSchema } from "../schema/user-schema.js";
import { discoverySchemas } from "./discovery-lists.js";
import { schemaDocument } from "./schema-document.js";

const definitions: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema, ...discoverySchemas];

const scalarCharacteristics = [
  "type",
  "multiValued",
  "description",
  "required",
  "caseExact",
  "mutability",
  "returned",
  "uniqueness",
] as const;

/** Walks the definitions, not the document, so an attribute the document dropped or changed fails here. */
function assertRendersDefinitions(rendered: JsonValue | undefined, attributes: readonly AttributeDefinition[], path: string): void {
  assert.ok(Array.isArray(rendered), `${path}: an array`);
  assert.deepEqual(
    rendered.map((a) => (isJsonObject(a) ? a["name"] : a)),
    attributes.map((a) => a.name),
    `${path}: exactly the defined attributes, in order`,
  );
  attributes.forEach((definition, i) => {
    const at = `${path}.${definition.name}`;
    const document = rendered[i] as JsonObject;
    for (const key of scalarCharacteristics) assert.equal(document[key], definition[key], `${at}: ${key}`);
    assert.deepEqual(document["canonicalValues"], definition.canonicalValues, `${at}: canonicalValues`);
    assert.deepEqual(document["referenceTypes"], definition.referenceTypes, `${at}: referenceTypes`);
    const expectedKeys = ["name", ...scalarCharacteristics, "canonicalValues", "referenceTypes", "subAttributes"].filter(
      (key) =>
        key === "name" ||
        (scalarCharacteristics as readonly string[]).includes(key) ||
        definition[key as keyof AttributeDefinition] !== undefined,
    );
    assert.deepEqual(Object.keys(document).sort(), expectedKeys.sort(), `${at}: no characteristic missing or extra`);
    if (definition.subAttributes !== undefined) assertRendersDefinitions(document["subAttributes"], definition.subAttributes, at);
  });
}

for (const definition of definitions) {
  test(`the ${definition.name} document lists exactly its definition's attributes and characteristics (no drift)`, () => {
    const document = schemaDocument(definition);
    assert.equal(document["id"], definition.id);
    assert.equal(document["name"], definition.name);
    assert.equal(document["description"], definition.description);
    assertRendersDefinitions(document["attributes"], definition.attributes, definition.name);
  });
}

test("the common attributes are not in a resource schema's attribute list (RFC 7643 §3.1, §8.7.1)", () => {
  for (const definition of [userSchema, enterpriseUserSchema, groupSchema]) {
    const names = (schemaDocument(definition)["attributes"] as JsonObject[]).map((a) => a["name"]);
    for (const common of ["id", "externalId", "meta"]) assert.equal(names.includes(common), false, `${definition.name} lists ${common}`);
  }
});

test("an attribute shows every characteristic, defaults included (compare RFC 7643 §8.7.1)", () => {
  const attributes = schemaDocument(userSchema)["attributes"] as JsonObject[];
  assert.deepEqual(
    attributes.find((a) => a["name"] === "userName"),
    {
      name: "userName",
      type: "string",
      multiValued: false,
      description: "Unique identifier for the User, used to authenticate; unique within the tenant, compared case-insensitively.",
      required: true,
      caseExact: false,
      mutability: "readWrite",
      returned: "default",
      uniqueness: "server",
    },
  );
  const groups = attributes.find((a) => a["name"] === "groups") as JsonObject;
  assert.deepEqual(
    (groups["subAttributes"] as JsonObject[]).find((a) => a["name"] === "$ref"),
    {
      name: "$ref",
      type: "reference",
      multiValued: false,
      description: "The URI of the corresponding Group resource.",
      required: false,
      caseExact: false,
      mutability: "readOnly",
      returned: "default",
      uniqueness: "none",
      referenceTypes: ["User", "Group"],
    },
  );
});

test("meta names the Schema resource type and the location given", () => {
  assert.deepEqual(
    schemaDocument(groupSchema, { location: "https://example.com/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group" })["meta"],
    {
      resourceType: "Schema",
      location: "https://example.com/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
    },
  );
  assert.deepEqual(schemaDocument(groupSchema)["meta"], { resourceType: "Schema" });
});
