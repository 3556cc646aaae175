import { attribute, type SchemaDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";

const readOnly = { mutability: "readOnly" } as const;

/**
 * The ResourceType schema, RFC 7643 §6 as represented in §8.7.2, with one deliberate difference:
 * `schemaExtensions` is not required. §6 calls it OPTIONAL and §8.6's Group example has none;
 * §8.7.2's `"required": true` contradicts both.
 */
export const resourceTypeSchema: SchemaDefinition = {
  id: urn.resourceType,
  name: "ResourceType",
  description: "Specifies the schema that describes a SCIM resource type",
  attributes: [
    attribute("id", "string", { ...readOnly, description: "The resource type's server unique id; may be the same as its name." }),
    attribute("name", "string", {
      ...readOnly,
      required: true,
      caseExact: true,
      uniqueness: "server",
      description: "The resource type name, e.g., 'User'.",
    }),
    attribute("description", "string", { ...readOnly, description: "The resource type's human-readable description." }),
    attribute("endpoint", "reference", {
      ...readOnly,
      required: true,
      uniqueness: "server",
      referenceTypes: ["uri"],
      description: "The resource type's HTTP-addressable endpoint relative to the base URL, e.g., '/Users'.",
    }),
    attribute("schema", "reference", {
      ...readOnly,
      required: true,
      caseExact: true,
      referenceTypes: ["uri"],
      description: "The resource type's primary/base schema URI.",
    }),
    attribute("schemaExtensions", "complex", {
      ...readOnly,
      multiValued: true,
      description: "The resource type's schema extensions.",
      subAttributes: [
        attribute("schema", "reference", {
          ...readOnly,
          required: true,
          caseExact: true,
          referenceTypes: ["uri"],
          description: "The URI of a schema extension.",
        }),
        attribute("required", "boolean", {
          ...readOnly,
          required: true,
          description: "Whether a resource of this type must include this extension and its required attributes.",
        }),
      ],
    }),
  ],
};
