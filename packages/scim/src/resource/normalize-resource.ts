import { ScimError } from "../errors/scim-error.js";
import { coreLevelAttributes, findExtensionSchema, isCoreSchema } from "../schema/resolve-attribute-path.js";
import { findAttribute, type ResourceTypeDefinition, type SchemaDefinition } from "../schema/schema-definition.js";
import { checkResourceLimits } from "./check-resource-limits.js";
import { checkRequired } from "./check-required.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";
import { coerceAttributeValue } from "./coerce-attribute-value.js";
import { isJsonObject, type JsonObject, type JsonValue, type ScimResource } from "./json-value.js";

/** Which request the body came with: POST (RFC 7644 §3.3) or PUT (RFC 7644 §3.5.1). */
export type NormalizeContext = "create" | "replace";

/**
 * Schema markers some clients list in `schemas` although they define no attributes; they are
 * accepted and dropped rather than rejected as unknown extensions.
 */
const toleratedSchemaMarkers: readonly string[] = [
  // Entra lists it on every group it creates (MS-USE "Create Group").
  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
];

/**
 * Checks and canonicalises a client's resource body for POST or PUT, returning the resource as the
 * server stores it: attribute names in the schema's spelling, values typed per the schema, readOnly
 * and unknown attributes dropped, unassigned values left out, `schemas` recomputed.
 * Throws a 400 ScimError (invalidSyntax or invalidValue) naming what is wrong, also when the
 * result breaks a limit or string rule (checkResourceLimits).
 */
export function normalizeResource(
  body: unknown,
  resourceType: ResourceTypeDefinition,
  context: NormalizeContext,
  limits: ScimLimits = defaultScimLimits,
): ScimResource {
  const request = context === "create" ? "POST" : "PUT";
  if (!isJsonObject(body)) {
    throw ScimError.of("invalidSyntax", `the ${request} body must be a JSON object representing a ${resourceType.name}`);
  }
  checkSchemas(body, resourceType);

  const core: JsonObject = {};
  const extensions = new Map<string, JsonObject>();
  const spelling = new Map<string, string>();
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === "schemas") continue;
    const extension = findExtensionSchema(resourceType, key);
    if (extension !== undefined) {
      noteSpelling(spelling, extension.id, key, "");
      const attributes = normalizeExtension(extension, value);
      if (attributes !== undefined) extensions.set(extension.id, attributes);
      continue;
    }
    const definition = findAttribute(coreLevelAttributes(resourceType), key);
    // RFC 7644 §3.3 lets a server ignore attributes it does not know (Microsoft's test collection
    // sends misspelled ones and expects success); RFC 7644 §3.5.1 has it ignore readOnly ones.
    if (definition === undefined) continue;
    noteSpelling(spelling, definition.name, key, "");
    if (definition.mutability === "readOnly") continue;
    const coerced = coerceAttributeValue(definition, value, definition.name);
    if (coerced !== undefined) core[definition.name] = coerced;
  }

  const resource = assemble(resourceType, core, extensions);
  checkRequired(resource, resourceType);
  checkResourceLimits(resource, resourceType, limits);
  return resource;
}

/** The `schemas` a resource of this type with these extension objects must list (RFC 7643 §3). */
export function schemasFor(resourceType: ResourceTypeDefinition, resource: JsonObject): string[] {
  const present = resourceType.extensions
    .map((e) => e.schema.id)
    .filter((id) => isJsonObject(resource[id]) && Object.keys(resource[id] as JsonObject).length > 0);
  return [resourceType.schema.id, ...present];
}

function checkSchemas(body: JsonObject, resourceType: ResourceTypeDefinition): void {
  const entry = Object.entries(body).find(([key]) => key.toLowerCase() === "schemas");
  if (entry === undefined) {
    throw ScimError.of("invalidSyntax", `"schemas" is required and must list "${resourceType.schema.id}" (RFC 7643 §3)`);
  }
  const schemas = entry[1];
  if (!Array.isArray(schemas) || !schemas.every((s): s is string => typeof s === "string")) {
    throw ScimError.of("invalidSyntax", `"schemas" must be an array of schema URN strings (RFC 7643 §3)`);
  }
  if (!schemas.some((s) => isCoreSchema(resourceType, s))) {
    throw ScimError.of(
      "invalidValue",
      `"schemas" must include the ${resourceType.name} core schema "${resourceType.schema.id}" (RFC 7643 §3)`,
    );
  }
  const unknown = schemas.find(
    (s) => !isCoreSchema(resourceType, s) && findExtensionSchema(resourceType, s) === undefined && !isToleratedMarker(s),
  );
  if (unknown !== undefined) {
    throw ScimError.of(
      "invalidValue",
      `"schemas" lists "${unknown}", which is neither the ${resourceType.name} core schema nor one of its extensions (RFC 7643 §3)`,
    );
  }
}

function isToleratedMarker(urn: string): boolean {
  return toleratedSchemaMarkers.some((marker) => marker.toLowerCase() === urn.toLowerCase());
}

function normalizeExtension(schema: SchemaDefinition, value: JsonValue): JsonObject | undefined {
  if (value === null) return undefined;
  if (!isJsonObject(value)) {
    throw ScimError.of("invalidValue", `"${schema.id}" must be a JSON object of the extension's attributes`);
  }
  const given = new Map<string, JsonValue>();
  const spelling = new Map<string, string>();
  for (const [key, raw] of Object.entries(value)) {
    const definition = findAttribute(schema.attributes, key);
    if (definition === undefined) continue;
    noteSpelling(spelling, definition.name, key, `${schema.id}:`);
    if (definition.mutability !== "readOnly") given.set(definition.name, raw);
  }
  const result: JsonObject = {};
  for (const definition of schema.attributes) {
    const coerced = coerceAttributeValue(definition, given.get(definition.name), `${schema.id}:${definition.name}`);
    if (coerced !== undefined) result[definition.name] = coerced;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Two keys that differ only in case name one attribute (RFC 7643 §2.1); taking either silently would lose data. */
function noteSpelling(spelling: Map<string, string>, canonical: string, key: string, prefix: string): void {
  const earlier = spelling.get(canonical.toLowerCase());
  if (earlier !== undefined) {
    throw ScimError.of(
      "invalidValue",
      `${prefix}${canonical} is given twice ("${earlier}" and "${key}"); attribute names are case-insensitive (RFC 7643 §2.1)`,
    );
  }
  spelling.set(canonical.toLowerCase(), key);
}

/** Builds the result in schema order, so equal resources serialise identically. */
function assemble(resourceType: ResourceTypeDefinition, core: JsonObject, extensions: Map<string, JsonObject>): ScimResource {
  const result: ScimResource = { schemas: [] };
  for (const definition of coreLevelAttributes(resourceType)) {
    const value = core[definition.name];
    if (value !== undefined) result[definition.name] = value;
  }
  for (const { schema } of resourceType.extensions) {
    const attributes = extensions.get(schema.id);
    if (attributes !== undefined) result[schema.id] = attributes;
  }
  result["schemas"] = schemasFor(resourceType, result);
  return result;
}
