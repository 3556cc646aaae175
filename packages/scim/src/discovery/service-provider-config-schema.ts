import { attribute, type AttributeDefinition, type SchemaDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";

// Everything here is set by the service provider, never by a client.
const readOnly = { mutability: "readOnly" } as const;

function supported(): AttributeDefinition {
  return attribute("supported", "boolean", { ...readOnly, required: true, description: "Whether the operation is supported." });
}

function limit(name: string, description: string): AttributeDefinition {
  return attribute(name, "integer", { ...readOnly, required: true, description });
}

function feature(name: string, description: string, limits: readonly AttributeDefinition[] = []): AttributeDefinition {
  return attribute(name, "complex", { ...readOnly, required: true, description, subAttributes: [supported(), ...limits] });
}

/**
 * The ServiceProviderConfig schema, RFC 7643 §5 as represented in §8.7.2.
 * authenticationSchemes also has `type` and `primary`: §5 defines them and §8.5's example uses them,
 * though §8.7.2's representation leaves them out (a reported erratum).
 * There is no `id`: §5 exempts this resource from it.
 */
export const serviceProviderConfigSchema: SchemaDefinition = {
  id: urn.serviceProviderConfig,
  name: "Service Provider Configuration",
  description: "Schema for representing the service provider's configuration",
  attributes: [
    attribute("documentationUri", "reference", {
      ...readOnly,
      referenceTypes: ["external"],
      description: "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.",
    }),
    feature("patch", "PATCH configuration options."),
    feature("bulk", "Bulk configuration options.", [
      limit("maxOperations", "The maximum number of operations in one bulk request."),
      limit("maxPayloadSize", "The maximum payload size of a bulk request, in bytes."),
    ]),
    feature("filter", "Filter configuration options.", [limit("maxResults", "The maximum number of resources returned in a response.")]),
    feature("changePassword", "Options for changing a password."),
    feature("sort", "Sort configuration options."),
    feature("etag", "ETag configuration options."),
    attribute("authenticationSchemes", "complex", {
      ...readOnly,
      multiValued: true,
      required: true,
      description: "The authentication schemes the service provider supports.",
      subAttributes: [
        attribute("type", "string", {
          ...readOnly,
          required: true,
          description: "The authentication scheme.",
          canonicalValues: ["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"],
        }),
        attribute("name", "string", {
          ...readOnly,
          required: true,
          description: "The common authentication scheme name, e.g., HTTP Basic.",
        }),
        attribute("description", "string", { ...readOnly, required: true, description: "A description of the authentication scheme." }),
        attribute("specUri", "reference", {
          ...readOnly,
          referenceTypes: ["external"],
          description: "An HTTP-addressable URL pointing to the authentication scheme's specification.",
        }),
        attribute("documentationUri", "reference", {
          ...readOnly,
          referenceTypes: ["external"],
          description: "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.",
        }),
        attribute("primary", "boolean", { ...readOnly, description: "Whether this is the preferred authentication scheme." }),
      ],
    }),
  ],
};
