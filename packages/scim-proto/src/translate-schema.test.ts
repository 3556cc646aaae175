import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExtendedResourceType, SchemaAttributeSchema, SchemaAttributeType, SchemaExtensionSchema } from "@scimgw/proto";
import { attribute } from "@scimgw/scim";
import { extensionFromProto, extensionToProto, type ExtensionDefinition } from "./translate-schema.js";
import { MalformedMessageError } from "./translate-filter.js";

const acme: ExtensionDefinition = {
  resourceType: "User",
  required: false,
  schema: {
    id: "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
    name: "AcmeUser",
    description: "Acme's own user attributes",
    attributes: [
      attribute("licenseTier", "string", { canonicalValues: ["free", "pro"], uniqueness: "none" }),
      attribute("badge", "string", { caseExact: true, uniqueness: "server", mutability: "immutable" }),
      attribute("hiredOn", "dateTime", { returned: "request" }),
      attribute("pin", "string", { mutability: "writeOnly", returned: "never" }),
      attribute("seats", "integer", { required: true }),
      attribute("homepage", "reference", { referenceTypes: ["external"] }),
      attribute("sites", "complex", {
        multiValued: true,
        subAttributes: [attribute("code", "string", { caseExact: true }), attribute("primary", "boolean")],
      }),
    ],
  },
};

test("an extension survives SCIM core -> protobuf bytes -> SCIM core unchanged", () => {
  const bytes = toBinary(SchemaExtensionSchema, extensionToProto(acme));
  assert.deepEqual(extensionFromProto(fromBinary(SchemaExtensionSchema, bytes)), acme);
});

test("characteristics left unspecified read as RFC 7643 §7's defaults", () => {
  const message = create(SchemaExtensionSchema, {
    id: "urn:acme:User",
    resourceType: ExtendedResourceType.GROUP,
    attributes: [create(SchemaAttributeSchema, { name: "region", type: SchemaAttributeType.STRING })],
  });
  const { resourceType, schema } = extensionFromProto(message);
  assert.equal(resourceType, "Group");
  assert.deepEqual(schema.attributes[0], attribute("region", "string"));
});

test("a message without a resource type or an attribute type is malformed, naming the attribute", () => {
  assert.throws(() => extensionFromProto(create(SchemaExtensionSchema, { id: "urn:acme:User" })), MalformedMessageError);
  const untyped = create(SchemaExtensionSchema, {
    id: "urn:acme:User",
    resourceType: ExtendedResourceType.USER,
    attributes: [create(SchemaAttributeSchema, { name: "sites", type: SchemaAttributeType.COMPLEX, subAttributes: [{ name: "code" }] })],
  });
  assert.throws(() => extensionFromProto(untyped), /"sites\.code"/);
});
