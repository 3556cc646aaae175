import {
  findAttribute,
  parseDateTime,
  schemasAttribute,
  toComparableText,
  type AttributeDefinition,
  type AttributePath,
  type ResourceTypeDefinition,
  type ScimResource,
} from "@scimgw/scim";

import { documentDateTime } from "./document-date-time.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function foldValue(definition: AttributeDefinition | undefined, value: Json): Json {
  if (definition === undefined) return value;
  if (Array.isArray(value)) return value.map((element) => foldValue({ ...definition, multiValued: false }, element));
  if (typeof value === "object" && value !== null) {
    const folded: { [key: string]: Json } = {};
    for (const [key, inner] of Object.entries(value)) folded[key] = foldValue(findAttribute(definition.subAttributes, key), inner);
    return folded;
  }
  if (typeof value !== "string") return value;
  if (definition.type === "dateTime") {
    const instant = parseDateTime(value);
    return instant === undefined ? value : documentDateTime(instant);
  }
  if (definition.type === "string" || definition.type === "reference") return toComparableText(value, definition.caseExact);
  return value;
}

/**
 * A resource as filters see it: SCIM JSON with every caseExact-false string folded by the SCIM
 * core's own rule and dateTimes normalised to UTC, so that SQL compares it with plain `=`/`<`/LIKE
 * and answers exactly as the in-memory evaluator would, on SQLite and PostgreSQL alike (neither
 * store's own case folding can be trusted to match). Users and groups keep one each, in their
 * `search` column; only the filter and sort compilers read it. The tenant's resource type gives the
 * definitions, so its own extensions' attributes fold by their caseExact.
 */
export function searchDocument(resource: ScimResource, resourceType: ResourceTypeDefinition): string {
  const document: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(resource as { [key: string]: Json })) {
    if (key === "meta" || key === "id") continue; // columns of their own
    const extension = resourceType.extensions.find(({ schema }) => schema.id === key)?.schema;
    if (extension !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const folded: { [key: string]: Json } = {};
      for (const [name, inner] of Object.entries(value)) folded[name] = foldValue(findAttribute(extension.attributes, name), inner);
      document[key] = folded;
      continue;
    }
    document[key] = foldValue(key === "schemas" ? schemasAttribute : findAttribute(resourceType.schema.attributes, key), value);
  }
  return JSON.stringify(document);
}

/** The document path of an attribute: extension attributes live under their schema URN's key. */
export function documentPath(path: AttributePath): string[] {
  return path.schema === undefined ? [path.attribute] : [path.schema, path.attribute];
}
