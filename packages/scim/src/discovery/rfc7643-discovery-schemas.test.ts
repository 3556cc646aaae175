import { test } from "node:test";
import assert from "node:assert/strict";
import type { AttributeDefinition, AttributeType, SchemaDefinition } from "../schema/schema-definition.js";
import { resourceTypeSchema } from "./resource-type-schema.js";
import { schemaSchema } from "./schema-schema.js";
import { serviceProviderConfigSchema } from "./service-provider-config-schema.js";

// Pins the schemas for schemas to RFC 7643 §5-§7 and §8.7.2, one row per attribute:
// path, type, multiValued, required. A row that departs from §8.7.2 says why.
type Row = [path: string, type: AttributeType, multiValued: boolean, required: boolean];

const characteristicRows = (prefix: string): Row[] => [
  [`${prefix}.name`, "string", false, true],
  [`${prefix}.type`, "string", false, true],
  [`${prefix}.multiValued`, "boolean", false, true],
  [`${prefix}.description`, "string", false, false],
  [`${prefix}.required`, "boolean", false, false],
  [`${prefix}.canonicalValues`, "string", true, false],
  [`${prefix}.caseExact`, "boolean", false, false],
  [`${prefix}.mutability`, "string", false, false],
  [`${prefix}.returned`, "string", false, false],
  [`${prefix}.uniqueness`, "string", false, false],
  // §7 describes referenceTypes as multi-valued; §8.7.2 marks it single-valued inside subAttributes.
  [`${prefix}.referenceTypes`, "string", true, false],
];

const expected: [SchemaDefinition, Row[]][] = [
  [
    schemaSchema,
    [
      ["id", "string", false, true],
      ["name", "string", false, true],
      ["description", "string", false, false],
      ["attributes", "complex", true, true],
      ...characteristicRows("attributes"),
      ["attributes.subAttributes", "complex", true, false],
      ...characteristicRows("attributes.subAttributes"),
    ],
  ],
  [
    resourceTypeSchema,
    [
      ["id", "string", false, false],
      ["name", "string", false, true],
      ["description", "string", false, false],
      ["endpoint", "reference", false, true],
      ["schema", "reference", false, true],
      // §6: OPTIONAL; §8.7.2 says required, which §8.6's Group example contradicts.
      ["schemaExtensions", "complex", true, false],
      ["schemaExtensions.schema", "reference", false, true],
      ["schemaExtensions.required", "boolean", false, true],
    ],
  ],
  [
    serviceProviderConfigSchema,
    [
      ["documentationUri", "reference", false, false],
      ["patch", "complex", false, true],
      ["patch.supported", "boolean", false, true],
      ["bulk", "complex", false, true],
      ["bulk.supported", "boolean", false, true],
      ["bulk.maxOperations", "integer", false, true],
      ["bulk.maxPayloadSize", "integer", false, true],
      ["filter", "complex", false, true],
      ["filter.supported", "boolean", false, true],
      ["filter.maxResults", "integer", false, true],
      ["changePassword", "complex", false, true],
      ["changePassword.supported", "boolean", false, true],
      ["sort", "complex", false, true],
      ["sort.supported", "boolean", false, true],
      ["etag", "complex", false, true],
      ["etag.supported", "boolean", false, true],
      ["authenticationSchemes", "complex", true, true],
      // type and primary: defined in §5 and used in §8.5, missing from §8.7.2 (a reported erratum).
      ["authenticationSchemes.type", "string", false, true],
      ["authenticationSchemes.name", "string", false, true],
      ["authenticationSchemes.description", "string", false, true],
      ["authenticationSchemes.specUri", "reference", false, false],
      ["authenticationSchemes.documentationUri", "reference", false, false],
      ["authenticationSchemes.primary", "boolean", false, false],
    ],
  ],
];

function rows(attributes: readonly AttributeDefinition[], prefix = ""): Row[] {
  return attributes.flatMap((a): Row[] => [
    [`${prefix}${a.name}`, a.type, a.multiValued, a.required],
    ...rows(a.subAttributes ?? [], `${prefix}${a.name}.`),
  ]);
}

for (const [schema, table] of expected) {
  test(`${schema.name} has exactly the attributes of RFC 7643 §8.7.2`, () => {
    assert.deepEqual(rows(schema.attributes), table);
  });
}

test("every attribute of the schemas for schemas is readOnly: the service provider sets them all", () => {
  const all = (attributes: readonly AttributeDefinition[]): AttributeDefinition[] =>
    attributes.flatMap((a) => [a, ...all(a.subAttributes ?? [])]);
  for (const [schema] of expected) {
    for (const a of all(schema.attributes)) assert.equal(a.mutability, "readOnly", `${schema.name}: ${a.name}`);
  }
});

test("the closed value sets of RFC 7643 §2.2, §2.3 and §5 are canonicalValues", () => {
  const attributes = schemaSchema.attributes.find((a) => a.name === "attributes")?.subAttributes ?? [];
  const canonical = (name: string) => attributes.find((a) => a.name === name)?.canonicalValues;
  // "binary" is a data type (§2.3.6) that §7's list and §8.7.2 leave out.
  assert.deepEqual(canonical("type"), ["string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"]);
  assert.deepEqual(canonical("mutability"), ["readOnly", "readWrite", "immutable", "writeOnly"]);
  assert.deepEqual(canonical("returned"), ["always", "never", "default", "request"]);
  assert.deepEqual(canonical("uniqueness"), ["none", "server", "global"]);
  const schemes = serviceProviderConfigSchema.attributes.find((a) => a.name === "authenticationSchemes")?.subAttributes ?? [];
  assert.deepEqual(schemes.find((a) => a.name === "type")?.canonicalValues, [
    "oauth",
    "oauth2",
    "oauthbearertoken",
    "httpbasic",
    "httpdigest",
  ]);
});
