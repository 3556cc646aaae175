import { ScimError } from "../errors/scim-error.js";
import { toComparableText } from "./comparable-text.js";
import { coreLevelAttributes } from "../schema/resolve-attribute-path.js";
import type { AttributeDefinition, ResourceTypeDefinition } from "../schema/schema-definition.js";
import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue, type ScimResource } from "./json-value.js";
import { schemasFor } from "./normalize-resource.js";

/**
 * Holds a replacement (PUT) to the immutable attributes of the resource it replaces, RFC 7644
 * §3.5.1: "If one or more values are already set for the attribute, the input value(s) MUST match,
 * or HTTP status code 400 SHOULD be returned with a "scimType" error code of "mutability". If the
 * service provider has no existing values, the new value(s) MAY be set." Both resources are
 * normalised (normalizeResource). Returns the replacement to store:
 *
 * - a value that differs from the stored one, compared per caseExact, is 400 mutability;
 * - a value equal to the stored one keeps the stored spelling, so the value never changes at all;
 * - an immutable value the replacement leaves out is kept: it cannot be removed (RFC 7644 §3.5.2),
 *   and IdPs send in a PUT only the attributes they manage, so refusing would fail their updates.
 *
 * Immutable sub-attributes are held the same way inside single-valued complex attributes; values of
 * a multi-valued attribute have no identity to match a stored value by, so theirs are PATCH's to
 * hold (apply-patch.ts), as group members' are.
 */
export function keepImmutableValues(stored: ScimResource, replacement: ScimResource, resourceType: ResourceTypeDefinition): ScimResource {
  const result = cloneJson(replacement);
  keep(coreLevelAttributes(resourceType), stored, result, "");
  for (const { schema } of resourceType.extensions) {
    const before = stored[schema.id];
    if (!isJsonObject(before)) continue;
    const after = isJsonObject(result[schema.id]) ? (result[schema.id] as JsonObject) : {};
    keep(schema.attributes, before, after, `${schema.id}:`);
    if (Object.keys(after).length > 0) result[schema.id] = after;
  }
  result["schemas"] = schemasFor(resourceType, result);
  return result;
}

function keep(definitions: readonly AttributeDefinition[], before: JsonObject, after: JsonObject, prefix: string): void {
  for (const definition of definitions) {
    const old = before[definition.name];
    if (old === undefined || definition.mutability === "readOnly") continue;
    const given = after[definition.name];
    if (definition.mutability === "immutable") {
      if (given !== undefined && !jsonEqual(comparable(definition, old), comparable(definition, given))) {
        throw ScimError.of(
          "mutability",
          `${prefix}${definition.name} is immutable: it is set and a replacement must give the same value (RFC 7644 §3.5.1)`,
        );
      }
      after[definition.name] = cloneJson(old);
      continue;
    }
    if (definition.type === "complex" && !definition.multiValued && isJsonObject(old)) {
      const inner = isJsonObject(given) ? given : {};
      keep(definition.subAttributes ?? [], old, inner, `${prefix}${definition.name}.`);
      if (Object.keys(inner).length > 0) after[definition.name] = inner;
    }
  }
}

/** A value as it compares: strings folded unless caseExact (RFC 7643 §2.2), recursively. */
function comparable(definition: AttributeDefinition, value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((item) => comparable(definition, item));
  if (typeof value === "string" && (definition.type === "string" || definition.type === "reference")) {
    return toComparableText(value, definition.caseExact);
  }
  if (isJsonObject(value)) {
    const folded: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      const sub = definition.subAttributes?.find((candidate) => candidate.name === key);
      folded[key] = sub === undefined ? inner : comparable(sub, inner);
    }
    return folded;
  }
  return value;
}
