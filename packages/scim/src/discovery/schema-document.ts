import type { JsonObject } from "../resource/json-value.js";
import type { AttributeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";
import { discoveryMeta } from "./discovery-meta.js";

/**
 * The /Schemas/{id} document for a schema the server enforces (RFC 7643 §7, represented as in §8.7.1).
 *
 * The common attributes (id, externalId, meta: RFC 7643 §3.1) are deliberately not listed: §3.1
 * says they belong to no schema, and §8.7.1's User and Group representations leave them out.
 * `schemas` is written although §8.7.1's examples omit it, because §3 requires it on every resource.
 */
export function schemaDocument(schema: SchemaDefinition, options: { location?: string | undefined } = {}): JsonObject {
  return {
    schemas: [urn.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: discoveryMeta("Schema", options.location),
  };
}

/**
 * Every characteristic of an attribute, defaults included, so a client never has to know
 * RFC 7643 §2.2's defaults. canonicalValues only when defined, referenceTypes only on references
 * and subAttributes only on complex attributes (§7).
 */
function attributeDocument(definition: AttributeDefinition): JsonObject {
  const document: JsonObject = {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
  };
  if (definition.canonicalValues !== undefined) document["canonicalValues"] = [...definition.canonicalValues];
  document["caseExact"] = definition.caseExact;
  document["mutability"] = definition.mutability;
  document["returned"] = definition.returned;
  document["uniqueness"] = definition.uniqueness;
  if (definition.type === "reference") document["referenceTypes"] = [...(definition.referenceTypes ?? [])];
  if (definition.type === "complex") document["subAttributes"] = (definition.subAttributes ?? []).map(attributeDocument);
  return document;
}
