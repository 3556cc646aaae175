import { test } from "node:test";
import assert from "node:assert/strict";
import { schemaDocument } from "./schema-document.js";
import type { JsonObject } from "../resource/json-value.js";
import { parseExtensionSchema } from "./check-extension-schema.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";

const id = "urn:acme:scim:schemas:2.0:User";

/** A valid extension document as an operator writes it: characteristics left out take their defaults. */
const valid = (attributes: unknown[] = [{ name: "region", type: "string", multiValued: false }], extra: JsonObject = {}) => ({
  id,
  name: "AcmeUser",
  description: "Acme's attributes",
  attributes,
  ...extra,
});

const attr = (name: string, type: string, more: JsonObject = {}) => ({ name, type, multiValued: false, ...more });

test("a valid document gives its schema, with RFC 7643 §2.2's defaults for what it leaves out", () => {
  const parsed = parseExtensionSchema(
    valid([
      attr("region", "string", { canonicalValues: ["eu", "us"], uniqueness: "server" }),
      attr("badge", "complex", {
        multiValued: true,
        subAttributes: [attr("number", "integer", { required: true }), attr("issued", "dateTime")],
      }),
      attr("homepage", "reference", { referenceTypes: ["external"] }),
      attr("pin", "string", { mutability: "writeOnly", returned: "never" }),
    ]),
    userResourceType,
  );
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.schema?.id, id);
  const region = parsed.schema?.attributes[0];
  assert.deepEqual(region, {
    name: "region",
    type: "string",
    multiValued: false,
    description: "",
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "server",
    canonicalValues: ["eu", "us"],
  });
  assert.equal(parsed.schema?.attributes[1]?.subAttributes?.[0]?.required, true);
});

test("what schemaDocument renders reads back as the same schema (the CLI's show, then add)", () => {
  const first = parseExtensionSchema(
    valid([
      attr("badge", "complex", { subAttributes: [attr("number", "integer")] }),
      attr("site", "reference", { referenceTypes: ["uri"] }),
    ]),
    userResourceType,
  );
  assert.ok(first.schema);
  const again = parseExtensionSchema(schemaDocument(first.schema, { location: "https://example.com/Schemas/x" }), userResourceType);
  assert.deepEqual(again, first);
});

test("caseExact is accepted on any type, meaningful on strings and references only", () => {
  assert.deepEqual(parseExtensionSchema(valid([attr("count", "integer", { caseExact: true })]), userResourceType).problems, []);
});

// Each row: a document (or a change to the valid one) and every problem it must be refused with.
const rows: [string, unknown, string[]][] = [
  ["not an object", [], ["the document must be a JSON object (RFC 7643 §7)"]],
  [
    "id and name missing, an unknown member",
    { attributes: [attr("a", "string")], resourceType: "User" },
    ["id: required but missing", "name: required but missing", "resourceType: not an attribute of the schema"],
  ],
  ["no attributes", valid([]), ["attributes: an extension lists at least one attribute (RFC 7643 §7)"]],
  [
    "schemas naming another schema",
    valid(undefined, { schemas: ["urn:x:y"] }),
    [`schemas: when given, must be ["urn:ietf:params:scim:schemas:core:2.0:Schema"] (RFC 7643 §7)`],
  ],
  [
    "characteristics of the wrong JSON type or outside their closed sets",
    valid([{ name: "region", type: "text", multiValued: "no", mutability: "sometimes", canonicalValues: "eu" }]),
    [
      'attribute "region" type: "text" is not one of string, boolean, decimal, integer, dateTime, reference, complex, binary',
      'attribute "region" multiValued: expected type boolean, got "no"',
      'attribute "region" mutability: "sometimes" is not one of readOnly, readWrite, immutable, writeOnly',
      'attribute "region" canonicalValues: multi-valued, so must be an array',
    ],
  ],
  [
    "an attribute without type and multiValued",
    valid([{ name: "region" }]),
    ['attribute "region" type: required but missing', 'attribute "region" multiValued: required but missing'],
  ],
  [
    "an attribute that is not an object",
    valid(["region"]),
    ["attributes[0]: an attribute is a JSON object of its characteristics (RFC 7643 §7)"],
  ],
  [
    "not a URN",
    { ...valid(), id: "acme-user" },
    ['id: "acme-user" is not a URN ("urn:" namespace ":" name, RFC 8141), e.g. "urn:acme:scim:2.0:User"'],
  ],
  [
    "a URN with a space",
    { ...valid(), id: "urn:acme:user ext" },
    ['id: "urn:acme:user ext" is not a URN ("urn:" namespace ":" name, RFC 8141), e.g. "urn:acme:scim:2.0:User"'],
  ],
  ["a URN too long", { ...valid(), id: `urn:acme:${"x".repeat(510)}` }, ["id: at most 512 characters"]],
  [
    "the enterprise URN, in another case",
    { ...valid(), id: "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User" },
    [
      'id: "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User" is a built-in schema of this server; an extension needs a URN of its own',
    ],
  ],
  [
    "Okta's Entitlement URN",
    { ...valid(), id: "urn:okta:scim:schemas:core:1.0:Entitlement" },
    ['id: "urn:okta:scim:schemas:core:1.0:Entitlement" is a built-in schema of this server; an extension needs a URN of its own'],
  ],
  [
    "the schema for schemas",
    { ...valid(), id: "urn:ietf:params:scim:schemas:core:2.0:Schema" },
    ['id: "urn:ietf:params:scim:schemas:core:2.0:Schema" is a built-in schema of this server; an extension needs a URN of its own'],
  ],
  ["an empty name", { ...valid(), name: " " }, ["name: required (RFC 7643 §7)"]],
  [
    "names outside ATTRNAME, too long, or repeated ignoring case",
    valid([
      attr("1st", "string"),
      attr("$ref", "string"),
      attr("x".repeat(65), "string"),
      attr("Region", "string"),
      attr("region", "string"),
    ]),
    [
      'attribute "1st": a name starts with a letter, then letters, digits, "-" and "_" (RFC 7643 §2.1)',
      'attribute "$ref": a name starts with a letter, then letters, digits, "-" and "_" (RFC 7643 §2.1)',
      `attribute "${"x".repeat(65)}": a name is at most 64 characters`,
      'attribute "region": the name repeats, and attribute names are compared ignoring case (RFC 7643 §2.1)',
    ],
  ],
  [
    "the common attributes' names",
    valid([attr("ID", "string"), attr("externalId", "string"), attr("meta", "string"), attr("schemas", "string")]),
    [
      'attribute "ID": "ID" is a common attribute of every resource (RFC 7643 §3.1) and cannot be redefined',
      'attribute "externalId": "externalId" is a common attribute of every resource (RFC 7643 §3.1) and cannot be redefined',
      'attribute "meta": "meta" is a common attribute of every resource (RFC 7643 §3.1) and cannot be redefined',
      'attribute "schemas": "schemas" is a common attribute of every resource (RFC 7643 §3.1) and cannot be redefined',
    ],
  ],
  ["101 attributes", valid(Array.from({ length: 101 }, (_, i) => attr(`a${i}`, "string"))), ["attributes: at most 100"]],
  [
    "sub-attributes repeated ignoring case",
    valid([attr("badge", "complex", { subAttributes: [attr("number", "string"), attr("NUMBER", "string")] })]),
    ['attribute "badge.NUMBER": the name repeats, and attribute names are compared ignoring case (RFC 7643 §2.1)'],
  ],
  [
    "a complex attribute without subAttributes",
    valid([attr("badge", "complex")]),
    ['attribute "badge": a complex attribute needs subAttributes (RFC 7643 §2.3.8)'],
  ],
  [
    "a complex sub-attribute",
    valid([attr("badge", "complex", { subAttributes: [attr("inner", "complex", { subAttributes: [attr("x", "string")] })] })]),
    ['attribute "badge.inner": a sub-attribute cannot be complex (RFC 7643 §2.3.8)'],
  ],
  [
    "subAttributes on a string",
    valid([attr("region", "string", { subAttributes: [attr("x", "string")] })]),
    ['attribute "region": subAttributes are for complex attributes only, not string (RFC 7643 §7)'],
  ],
  [
    "canonicalValues on an integer, repeated ignoring case",
    valid([attr("level", "integer", { canonicalValues: ["1", "1"] }), attr("tier", "string", { canonicalValues: ["Gold", "gold"] })]),
    [
      'attribute "level": canonicalValues are for string attributes only, not integer',
      'attribute "level": canonicalValues repeat a value (compared ignoring case, as caseExact is false)',
      'attribute "tier": canonicalValues repeat a value (compared ignoring case, as caseExact is false)',
    ],
  ],
  [
    "canonicalValues differing in case, caseExact",
    valid([attr("tier", "string", { caseExact: true, canonicalValues: ["Gold", "gold"] })]),
    [],
  ],
  [
    "a reference without referenceTypes, referenceTypes on a string",
    valid([attr("site", "reference"), attr("region", "string", { referenceTypes: ["external"] })]),
    [
      'attribute "site": a reference needs referenceTypes, e.g. ["external"] or ["uri"] (RFC 7643 §7)',
      'attribute "region": referenceTypes are for reference attributes only, not string (RFC 7643 §7)',
    ],
  ],
  [
    "uniqueness global, and server where one index value per resource cannot hold it",
    valid([
      attr("a", "string", { uniqueness: "global" }),
      attr("b", "string", { uniqueness: "server", multiValued: true }),
      attr("c", "complex", { uniqueness: "server", subAttributes: [attr("d", "string", { uniqueness: "server" })] }),
      attr("e", "boolean", { uniqueness: "server" }),
    ]),
    [
      'attribute "a": uniqueness "global" is not offered, as each tenant\'s directory is separate; use "server" (unique within the tenant)',
      'attribute "b": uniqueness "server" is for single-valued attributes',
      'attribute "c.d": uniqueness "server" is for top-level attributes, not sub-attributes',
      'attribute "c": uniqueness "server" is not for complex attributes',
      'attribute "e": uniqueness "server" is not for boolean attributes',
    ],
  ],
  [
    "required and readOnly; writeOnly but returned",
    valid([attr("a", "string", { required: true, mutability: "readOnly" }), attr("b", "string", { mutability: "writeOnly" })]),
    [
      'attribute "a": a required attribute cannot be readOnly, as no client could ever set it (RFC 7643 §2.2)',
      'attribute "b": a writeOnly attribute must be returned "never" (RFC 7643 §7)',
    ],
  ],
];

for (const [name, document, problems] of rows) {
  test(`a document with ${name}: ${problems.length === 0 ? "accepted" : "refused"}`, () => {
    assert.deepEqual(parseExtensionSchema(document, userResourceType).problems, problems);
  });
}

test("an extension may not take the URN of its resource type's own schema", () => {
  assert.deepEqual(parseExtensionSchema({ ...valid(), id: groupResourceType.schema.id }, groupResourceType).problems, [
    'id: "urn:ietf:params:scim:schemas:core:2.0:Group" is a built-in schema of this server; an extension needs a URN of its own',
  ]);
});
