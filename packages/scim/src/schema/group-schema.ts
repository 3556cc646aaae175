import { attribute, type SchemaDefinition } from "./schema-definition.js";
import { urn } from "./urns.js";

/** The core Group schema, RFC 7643 §4.2 and its representation in §8.7.1. */
export const groupSchema: SchemaDefinition = {
  id: urn.group,
  name: "Group",
  description: "Group",
  attributes: [
    // §4.2 calls displayName REQUIRED; both Okta and Entra always send it. Entra requires it unique
    // (MS-USE), and the directory enforces that per tenant, in any letter case (caseExact false), with
    // a 409: RFC 7643 §7 has `uniqueness` say what the server enforces, so it says "server".
    attribute("displayName", "string", {
      description: "A human-readable name for the Group, unique within the tenant.",
      required: true,
      uniqueness: "server",
    }),
    attribute("members", "complex", {
      description: "A list of members of the Group.",
      multiValued: true,
      subAttributes: [
        attribute("value", "string", { description: "Identifier of the member of this Group.", mutability: "immutable" }),
        attribute("$ref", "reference", {
          description: "The URI of the member resource.",
          mutability: "immutable",
          referenceTypes: ["User", "Group"],
        }),
        attribute("display", "string", { description: "A human-readable name of the member.", mutability: "readOnly" }),
        attribute("type", "string", {
          description: "The type of the member.",
          mutability: "immutable",
          canonicalValues: ["User", "Group"],
        }),
      ],
    }),
  ],
};
