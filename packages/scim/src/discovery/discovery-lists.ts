import { ScimError } from "../errors/scim-error.js";
import { listResponse } from "../messages/list-response.js";
import type { JsonObject } from "../resource/json-value.js";
import type { ResourceTypeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import { resourceTypeDocument } from "./resource-type-document.js";
import { resourceTypeSchema } from "./resource-type-schema.js";
import { schemaDocument } from "./schema-document.js";
import { schemaSchema } from "./schema-schema.js";
import { serviceProviderConfigSchema } from "./service-provider-config-schema.js";

/**
 * The fixed service provider schemas (RFC 7643 §8.7.2). /Schemas serves them beside the resource
 * schemas because RFC 7644 §4 has it return every schema the server supports, and these describe
 * the documents of /ServiceProviderConfig, /ResourceTypes and /Schemas itself.
 */
export const discoverySchemas: readonly SchemaDefinition[] = [serviceProviderConfigSchema, resourceTypeSchema, schemaSchema];

export interface DiscoveryOptions {
  /** The resource types the server really serves; /Schemas lists their schemas and extensions. */
  readonly resourceTypes: readonly ResourceTypeDefinition[];
  /** The SCIM base URL (e.g. https://example.com/scim/v2), for each document's meta.location. */
  readonly baseUrl?: string;
}

/** The schemas /Schemas lists: each served resource type's schema and extensions, then discoverySchemas. */
export function servedSchemas(resourceTypes: readonly ResourceTypeDefinition[]): SchemaDefinition[] {
  const schemas = new Map<string, SchemaDefinition>();
  for (const resourceType of resourceTypes) {
    for (const schema of [resourceType.schema, ...resourceType.extensions.map((e) => e.schema)]) schemas.set(schema.id, schema);
  }
  for (const schema of discoverySchemas) schemas.set(schema.id, schema);
  return [...schemas.values()];
}

/** GET /Schemas: every served schema, in a ListResponse (RFC 7644 §4). */
export function schemaListResponse(options: DiscoveryOptions): JsonObject {
  return listResponse(servedSchemas(options.resourceTypes).map((schema) => renderSchema(schema, options)));
}

/** GET /ResourceTypes: every served resource type, in a ListResponse (RFC 7644 §4). */
export function resourceTypeListResponse(options: DiscoveryOptions): JsonObject {
  return listResponse(options.resourceTypes.map((resourceType) => renderResourceType(resourceType, options)));
}

/**
 * GET /Schemas/{id}: the one schema document (RFC 7644 §4), or a 404 naming the unknown id.
 * The URN is matched ignoring case, as attribute paths match schema URNs.
 */
export function findSchemaDocument(id: string, options: DiscoveryOptions): JsonObject {
  const schemas = servedSchemas(options.resourceTypes);
  const schema = schemas.find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (schema === undefined) {
    throw ScimError.status(404, `no schema "${id}" is served here; the schemas are ${quotedList(schemas.map((s) => s.id))}`);
  }
  return renderSchema(schema, options);
}

/** GET /ResourceTypes/{id}: the one resource type document (RFC 7644 §4), or a 404 naming the unknown id. */
export function findResourceType(id: string, options: DiscoveryOptions): JsonObject {
  const resourceType = options.resourceTypes.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (resourceType === undefined) {
    throw ScimError.status(
      404,
      `no resource type "${id}" is served here; the resource types are ${quotedList(options.resourceTypes.map((r) => r.id))}`,
    );
  }
  return renderResourceType(resourceType, options);
}

function renderSchema(schema: SchemaDefinition, options: DiscoveryOptions): JsonObject {
  return schemaDocument(schema, { location: locationOf(options, "Schemas", schema.id) });
}

function renderResourceType(resourceType: ResourceTypeDefinition, options: DiscoveryOptions): JsonObject {
  return resourceTypeDocument(resourceType, { location: locationOf(options, "ResourceTypes", resourceType.id) });
}

/** The URN goes into the path as it is, like RFC 7644 §4's /Schemas/urn:ietf:params:scim:schemas:core:2.0:User. */
function locationOf(options: DiscoveryOptions, endpoint: string, id: string): string | undefined {
  return options.baseUrl === undefined ? undefined : `${options.baseUrl.replace(/\/+$/, "")}/${endpoint}/${id}`;
}

function quotedList(ids: readonly string[]): string {
  return ids.length === 0 ? "none" : ids.map((id) => `"${id}"`).join(", ");
}
