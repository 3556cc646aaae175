import type { AttributePath } from "../schema/attribute-path.js";
import { coreLevelAttributes, findExtensionSchema, lookupAttributePath } from "../schema/resolve-attribute-path.js";
import { findAttribute, type AttributeDefinition, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import { isJsonObject, type JsonObject, type JsonValue, type ScimResource } from "./json-value.js";

/** The `attributes` and `excludedAttributes` of a request (RFC 7644 §3.4.2.5), already parsed. */
export interface ProjectionOptions {
  readonly attributes?: readonly AttributePath[];
  readonly excludedAttributes?: readonly AttributePath[];
}

/** Which attributes a list names: the whole attribute, or some of its sub-attributes. */
interface Named {
  whole: boolean;
  readonly subAttributes: Set<string>;
}

type Selection = Map<string, Named>;

/**
 * The representation of `resource` to send back, per RFC 7643 §7 `returned` and RFC 7644 §3.4.2.5:
 * - `always` attributes (id) and `schemas` are returned whatever the lists say;
 * - `never` attributes (password) are never returned, even when asked for;
 * - `default` attributes are returned unless `attributes` is given without them, or they are excluded;
 * - `request` attributes are returned only when `attributes` names them;
 * - `writeOnly` attributes are never returned, whatever `returned` says (RFC 7643 §7: "the
 *   attribute value SHALL NOT be returned"; a tenant's extension may declare one).
 * The same rules apply to sub-attributes. Attributes the schema does not define are not returned.
 */
export function projectResource(resource: ScimResource, options: ProjectionOptions, resourceType: ResourceTypeDefinition): ScimResource {
  const include = options.attributes !== undefined && options.attributes.length > 0 ? select(options.attributes, resourceType) : undefined;
  const exclude = select(options.excludedAttributes ?? [], resourceType);
  const result: ScimResource = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === "schemas") {
      result[key] = value;
      continue;
    }
    const extension = findExtensionSchema(resourceType, key);
    if (extension !== undefined) {
      const projected = isJsonObject(value) ? projectObject(value, extension.attributes, extension.id, include, exclude) : undefined;
      if (projected !== undefined) result[extension.id] = projected;
      continue;
    }
    const definition = findAttribute(coreLevelAttributes(resourceType), key);
    const projected = definition
      ? projectAttribute(definition, value, selectionKey(undefined, definition.name), include, exclude)
      : undefined;
    if (definition !== undefined && projected !== undefined) result[definition.name] = projected;
  }
  return result;
}

function projectObject(
  object: JsonObject,
  definitions: readonly AttributeDefinition[],
  extension: string,
  include: Selection | undefined,
  exclude: Selection,
): JsonObject | undefined {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    const definition = findAttribute(definitions, key);
    if (definition === undefined) continue;
    const projected = projectAttribute(definition, value, selectionKey(extension, definition.name), include, exclude);
    if (projected !== undefined) result[definition.name] = projected;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function projectAttribute(
  definition: AttributeDefinition,
  value: JsonValue,
  key: string,
  include: Selection | undefined,
  exclude: Selection,
): JsonValue | undefined {
  if (isNeverReturned(definition)) return undefined;
  if (definition.returned === "always") return projectSubAttributes(definition, value, undefined, undefined);
  let only: Set<string> | undefined;
  if (include !== undefined) {
    const named = include.get(key);
    if (named === undefined) return undefined;
    only = named.whole ? undefined : named.subAttributes;
  } else if (definition.returned === "request") {
    return undefined;
  }
  const excluded = exclude.get(key);
  if (excluded?.whole) return undefined;
  return projectSubAttributes(definition, value, only, excluded?.subAttributes);
}

/** Applies `returned` and the lists to the sub-attributes of each value of a complex attribute. */
function projectSubAttributes(
  definition: AttributeDefinition,
  value: JsonValue,
  only: Set<string> | undefined,
  excluded: Set<string> | undefined,
): JsonValue | undefined {
  if (definition.subAttributes === undefined) return value;
  const projectOne = (item: JsonValue): JsonValue | undefined => {
    if (!isJsonObject(item)) return item;
    const result: JsonObject = {};
    for (const [key, subValue] of Object.entries(item)) {
      const sub = findAttribute(definition.subAttributes, key);
      if (sub !== undefined && keepSubAttribute(sub, only, excluded)) result[sub.name] = subValue;
    }
    return Object.keys(result).length > 0 ? result : undefined;
  };
  if (!Array.isArray(value)) return projectOne(value);
  const items = value.map(projectOne).filter((item): item is JsonValue => item !== undefined);
  return items.length > 0 ? items : undefined;
}

function keepSubAttribute(sub: AttributeDefinition, only: Set<string> | undefined, excluded: Set<string> | undefined): boolean {
  if (isNeverReturned(sub)) return false;
  if (sub.returned === "always") return true;
  if (only !== undefined) return only.has(sub.name);
  if (sub.returned === "request") return false;
  return !(excluded?.has(sub.name) ?? false);
}

function select(paths: readonly AttributePath[], resourceType: ResourceTypeDefinition): Selection {
  const selection: Selection = new Map();
  const name = (extension: string | undefined, attribute: string): Named => {
    const key = selectionKey(extension, attribute);
    const existing = selection.get(key) ?? { whole: false, subAttributes: new Set<string>() };
    selection.set(key, existing);
    return existing;
  };
  for (const path of paths) {
    const lookup = lookupAttributePath(path, resourceType);
    if (lookup.kind === "extension") {
      for (const a of lookup.schema.attributes) name(lookup.schema.id, a.name).whole = true;
    } else if (lookup.kind === "attribute") {
      const { extension, attribute, subAttribute } = lookup.resolved;
      const named = name(extension, attribute.name);
      if (subAttribute === undefined) named.whole = true;
      else named.subAttributes.add(subAttribute.name);
    }
  }
  return selection;
}

function selectionKey(extension: string | undefined, attribute: string): string {
  return `${extension ?? ""}|${attribute}`;
}

function isNeverReturned(definition: AttributeDefinition): boolean {
  return definition.returned === "never" || definition.mutability === "writeOnly";
}
