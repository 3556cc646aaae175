import { attribute, type AttributeDefinition, type SchemaDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";

const readOnly = { mutability: "readOnly" } as const;

/**
 * The characteristics every attribute and sub-attribute is described by (RFC 7643 §7, §2.2).
 * Two corrections to §8.7.2's representation: `type` admits "binary" (§2.3.6 defines it and the
 * User schema's x509Certificates.value uses it), and `referenceTypes` is multi-valued at both
 * levels, as §7 describes it (§8.7.2 marks it single-valued inside subAttributes).
 */
function characteristics(): AttributeDefinition[] {
  return [
    attribute("name", "string", { ...readOnly, required: true, caseExact: true, description: "The attribute's name." }),
    attribute("type", "string", {
      ...readOnly,
      required: true,
      description: "The attribute's data type.",
      canonicalValues: ["string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"],
    }),
    attribute("multiValued", "boolean", { ...readOnly, required: true, description: "Whether the attribute is multi-valued." }),
    attribute("description", "string", { ...readOnly, caseExact: true, description: "The attribute's human-readable description." }),
    attribute("required", "boolean", { ...readOnly, description: "Whether the attribute is required." }),
    attribute("canonicalValues", "string", {
      ...readOnly,
      multiValued: true,
      caseExact: true,
      description: "Suggested canonical values, e.g., 'work' and 'home'.",
    }),
    attribute("caseExact", "boolean", { ...readOnly, description: "Whether a string attribute is case-sensitive." }),
    attribute("mutability", "string", {
      ...readOnly,
      caseExact: true,
      description: "Whether and how the attribute can be modified.",
      canonicalValues: ["readOnly", "readWrite", "immutable", "writeOnly"],
    }),
    attribute("returned", "string", {
      ...readOnly,
      caseExact: true,
      description: "When the attribute is returned in a response.",
      canonicalValues: ["always", "never", "default", "request"],
    }),
    attribute("uniqueness", "string", {
      ...readOnly,
      caseExact: true,
      description: "How unique a value must be.",
      canonicalValues: ["none", "server", "global"],
    }),
    attribute("referenceTypes", "string", {
      ...readOnly,
      multiValued: true,
      caseExact: true,
      description: "For a reference attribute, the resource types (or 'external', 'uri') it may refer to.",
    }),
  ];
}

/**
 * The schema for Schema resources ("the schema for schemas"), RFC 7643 §7 as represented in §8.7.2.
 * It describes the documents /Schemas returns, itself included.
 */
export const schemaSchema: SchemaDefinition = {
  id: urn.schema,
  name: "Schema",
  description: "Specifies the schema that describes a SCIM schema",
  attributes: [
    attribute("id", "string", { ...readOnly, required: true, description: "The unique URI of the schema." }),
    attribute("name", "string", { ...readOnly, required: true, description: "The schema's human-readable name, e.g., 'User'." }),
    attribute("description", "string", { ...readOnly, description: "The schema's human-readable description." }),
    attribute("attributes", "complex", {
      ...readOnly,
      multiValued: true,
      required: true,
      description: "The attributes of the schema and their characteristics.",
      subAttributes: [
        ...characteristics(),
        // §7: "subAttributes" has the same sub-attributes as "attributes". That is recursive, and
        // data can state it only to a fixed depth; one level, as in §8.7.2, covers every schema but
        // this one, the only one with a complex sub-attribute (§2.3.8 forbids them elsewhere).
        attribute("subAttributes", "complex", {
          ...readOnly,
          multiValued: true,
          description: "The sub-attributes of a complex attribute, described by the same characteristics.",
          subAttributes: characteristics(),
        }),
      ],
    }),
  ],
};
