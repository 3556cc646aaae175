import { attribute, type AttributeDefinition } from "./schema-definition.js";

/** The attributes every resource has (RFC 7643 §3.1); they belong to no schema's attribute list. */
export const commonAttributes: readonly AttributeDefinition[] = [
  attribute("id", "string", {
    description: "A unique identifier for the resource, assigned by the service provider.",
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  attribute("externalId", "string", {
    description: "An identifier for the resource as defined by the provisioning client.",
    caseExact: true,
  }),
  attribute("meta", "complex", {
    description: "Resource metadata maintained by the service provider.",
    mutability: "readOnly",
    subAttributes: [
      attribute("resourceType", "string", { description: "The name of the resource type.", caseExact: true, mutability: "readOnly" }),
      attribute("created", "dateTime", { description: "When the resource was added.", mutability: "readOnly" }),
      attribute("lastModified", "dateTime", { description: "When the resource was last updated.", mutability: "readOnly" }),
      attribute("location", "reference", {
        description: "The URI of the resource.",
        caseExact: true,
        mutability: "readOnly",
        referenceTypes: ["uri"],
      }),
      attribute("version", "string", { description: "The version (ETag) of the resource.", caseExact: true, mutability: "readOnly" }),
    ],
  }),
];
