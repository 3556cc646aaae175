import type { JsonObject } from "../resource/json-value.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";
import { discoveryMeta } from "./discovery-meta.js";

/** The /ResourceTypes/{id} document for a resource type the server enforces (RFC 7643 §6). */
export function resourceTypeDocument(resourceType: ResourceTypeDefinition, options: { location?: string | undefined } = {}): JsonObject {
  return {
    schemas: [urn.resourceType],
    id: resourceType.id,
    name: resourceType.name,
    endpoint: resourceType.endpoint,
    description: resourceType.description,
    schema: resourceType.schema.id,
    // Written even when empty (Group), so clients that iterate it need no special case; an empty
    // multi-valued attribute is the same as an unassigned one (RFC 7643 §2.5).
    schemaExtensions: resourceType.extensions.map(({ schema, required }) => ({ schema: schema.id, required })),
    meta: discoveryMeta("ResourceType", options.location),
  };
}
