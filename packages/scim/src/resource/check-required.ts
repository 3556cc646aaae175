import { ScimError } from "../errors/scim-error.js";
import type { ResourceTypeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import { isJsonObject, type JsonObject } from "./json-value.js";

/**
 * Throws 400 invalidValue when a resource lacks a required attribute of its core schema or of an
 * extension it carries, or lacks an extension its resource type requires (RFC 7643 §2.2, §6
 * `schemaExtensions.required`). The required attributes of an optional extension are required only
 * when the resource carries the extension. readOnly attributes (id) are the server's to set, not
 * the client's to give. Resource bodies and PATCH results are held to this one rule.
 */
export function checkRequired(resource: JsonObject, resourceType: ResourceTypeDefinition): void {
  checkSchema(resourceType.schema, resource, "");
  for (const { schema, required } of resourceType.extensions) {
    const attributes = resource[schema.id];
    if (!isJsonObject(attributes)) {
      if (required) throw ScimError.of("invalidValue", `the extension "${schema.id}" is required for a ${resourceType.name}`);
      continue;
    }
    checkSchema(schema, attributes, `${schema.id}:`);
  }
}

function checkSchema(schema: SchemaDefinition, values: JsonObject, prefix: string): void {
  const missing = schema.attributes.find((a) => a.required && a.mutability !== "readOnly" && values[a.name] === undefined);
  if (missing !== undefined) {
    throw ScimError.of("invalidValue", `${prefix}${missing.name} is required (${schema.name} schema, RFC 7643 §2.2)`);
  }
}
