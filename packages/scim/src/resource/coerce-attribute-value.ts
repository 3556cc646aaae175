import { ScimError } from "../errors/scim-error.js";
import { findAttribute, type AttributeDefinition } from "../schema/schema-definition.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { formatUtcDateTime, parseDateTime } from "./parse-date-time.js";
import { toComparableText } from "./comparable-text.js";
import { holdsEntraAppRoles, readEntraAppRole } from "./entra-app-role.js";

/**
 * The one place for the type rules of client-supplied attribute values (RFC 7643 §2.3), shared by
 * resource bodies (POST/PUT) and PATCH. Returns the value in its stored form, or undefined when it
 * leaves the attribute unassigned (RFC 7643 §2.5: null and [] mean "no value").
 *
 * - Sub-attribute names are matched case-insensitively and rewritten to the schema's spelling
 *   (RFC 7643 §2.1); unknown sub-attributes are dropped (RFC 7644 §3.3 lets servers ignore them).
 * - readOnly sub-attributes are dropped (RFC 7644 §3.5.1: the server ignores them).
 * - Booleans also accept the strings "True"/"False" in any case (Entra's legacy PATCH dialect, MS-COMPAT).
 * - A bare string for a complex attribute with a `value` sub-attribute means `{value}` (Entra's
 *   manager, MGR-ISSUES; Microsoft's test collection adds group members that way).
 * - A single-valued complex attribute accepts an array of one value (Entra documents the manager as
 *   `[{"value": ..., "$ref": ...}]`, MS-USE).
 * - A multi-valued attribute must be an array, and at most one of its values may be primary (RFC 7643 §2.4).
 * - `roles` values in Entra's app role shapes are read as RFC 7643 §4.1.2's (entra-app-role.ts).
 *
 * `path` names the attribute in error details, e.g. `emails[1].primary`.
 */
export function coerceAttributeValue(definition: AttributeDefinition, value: unknown, path: string): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (definition.multiValued) return coerceMultiValued(definition, value, path);
  if (Array.isArray(value)) return coerceArrayForSingleValue(definition, value, path);
  return coerceSingleValue(definition, value, path);
}

/**
 * Coerces one value of a multi-valued attribute (an element of its array), as PATCH needs when it
 * adds or matches single values.
 */
export function coerceAttributeElement(definition: AttributeDefinition, value: unknown, path: string): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  return coerceSingleValue(definition, value, path);
}

/** Throws invalidValue unless at most one value has `primary: true` (RFC 7643 §2.4). */
export function assertSinglePrimary(values: readonly JsonValue[], path: string): void {
  const primaries = values.filter((v) => isJsonObject(v) && v["primary"] === true).length;
  if (primaries > 1) {
    throw ScimError.of("invalidValue", `${path} has ${primaries} values with "primary": true; at most one may be primary (RFC 7643 §2.4)`);
  }
}

/** A JSON boolean, or "true"/"false" in any letter case (Entra sends "True"/"False", MS-COMPAT). */
export function parseBooleanLenient(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

function coerceMultiValued(definition: AttributeDefinition, value: unknown, path: string): JsonValue | undefined {
  if (!Array.isArray(value)) {
    throw invalid(`${path} is multi-valued and must be a JSON array (RFC 7643 §2.4)`, value);
  }
  const items: JsonValue[] = [];
  value.forEach((item, index) => {
    const coerced = coerceAttributeElement(definition, item, `${path}[${index}]`);
    if (coerced !== undefined) items.push(coerced);
  });
  if (items.length === 0) return undefined;
  assertSinglePrimary(items, path);
  return items;
}

function coerceArrayForSingleValue(definition: AttributeDefinition, value: unknown[], path: string): JsonValue | undefined {
  if (definition.type === "complex" && value.length <= 1) {
    return value.length === 0 ? undefined : coerceSingleValue(definition, value[0], path);
  }
  throw invalid(`${path} is single-valued and must not be an array`, value);
}

function coerceSingleValue(definition: AttributeDefinition, value: unknown, path: string): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  // An empty string cannot be a boolean, number, dateTime or complex value; Entra's null-update
  // test sends "" to clear optional attributes, so it is read as "unassigned" for these types.
  if (value === "" && definition.type !== "string" && definition.type !== "reference" && definition.type !== "binary") return undefined;
  switch (definition.type) {
    case "string":
    case "reference":
    case "binary":
      return coerceString(definition, value, path);
    case "boolean":
      return coerceBoolean(value, path);
    case "integer":
      if (typeof value === "number" && Number.isInteger(value)) return value;
      throw invalid(`${path} must be an integer`, value);
    case "decimal":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      throw invalid(`${path} must be a number`, value);
    case "dateTime": {
      // Stored in UTC (RFC 3339 "Z"), so every reader, SQL included, sees one form of an instant.
      const parsed = typeof value === "string" ? parseDateTime(value) : undefined;
      if (parsed !== undefined) return formatUtcDateTime(parsed);
      throw invalid(`${path} must be an xsd:dateTime such as "2015-10-10T14:38:21Z" (RFC 7643 §2.3.5)`, value);
    }
    case "complex":
      return coerceComplex(definition, value, path);
  }
}

function coerceString(definition: AttributeDefinition, value: unknown, path: string): string {
  if (typeof value !== "string") throw invalid(`${path} must be a string`, value);
  if (definition.required && value.trim() === "") {
    throw ScimError.of("invalidValue", `${path} is required and must not be empty`);
  }
  const allowed = definition.canonicalValues;
  if (definition.canonicalValuesEnforced === true && allowed !== undefined && allowed.length > 0) {
    const wanted = toComparableText(value, definition.caseExact);
    if (!allowed.some((candidate) => toComparableText(candidate, definition.caseExact) === wanted)) {
      const listed = allowed.map((candidate) => JSON.stringify(candidate)).join(", ");
      const how = definition.caseExact ? "" : ", in any letter case";
      throw invalid(`${path} must be one of its canonicalValues ${listed}${how}`, value);
    }
  }
  return value;
}

function coerceBoolean(value: unknown, path: string): boolean {
  const parsed = parseBooleanLenient(value);
  if (parsed === undefined) throw invalid(`${path} must be a boolean (true or false)`, value);
  return parsed;
}

function coerceComplex(definition: AttributeDefinition, sent: unknown, path: string): JsonObject | undefined {
  const subAttributes = definition.subAttributes ?? [];
  // Entra's app role assignments (MS-ATTR) arrive in shapes of their own: read as RFC 7643 §4.1.2's.
  const value = holdsEntraAppRoles(definition) ? readEntraAppRole(sent) : sent;
  if (typeof value === "string" && findAttribute(subAttributes, "value") !== undefined) {
    return value === "" ? undefined : coerceComplex(definition, { value }, path);
  }
  if (!isJsonObject(value)) throw invalid(`${path} must be a JSON object of the sub-attributes of "${definition.name}"`, value);

  const given = collectSubAttributes(definition, value, path);
  const result: JsonObject = {};
  for (const sub of subAttributes) {
    const coerced = given.has(sub.name) ? coerceAttributeValue(sub, given.get(sub.name), `${path}.${sub.name}`) : undefined;
    if (coerced !== undefined) result[sub.name] = coerced;
  }
  if (Object.keys(result).length === 0) return undefined;
  const missing = subAttributes.find((sub) => sub.required && result[sub.name] === undefined);
  if (missing !== undefined) throw ScimError.of("invalidValue", `${path}.${missing.name} is required`);
  return result;
}

/** The writable sub-attributes given, by canonical name; unknown and readOnly ones are left out. */
function collectSubAttributes(definition: AttributeDefinition, value: JsonObject, path: string): Map<string, unknown> {
  const given = new Map<string, unknown>();
  const spelling = new Map<string, string>();
  for (const [key, raw] of Object.entries(value)) {
    const sub = findAttribute(definition.subAttributes, key);
    if (sub === undefined) continue;
    const earlier = spelling.get(sub.name);
    if (earlier !== undefined) {
      throw ScimError.of(
        "invalidValue",
        `${path} gives "${sub.name}" twice ("${earlier}" and "${key}"); attribute names are case-insensitive (RFC 7643 §2.1)`,
      );
    }
    spelling.set(sub.name, key);
    if (sub.mutability !== "readOnly") given.set(sub.name, raw);
  }
  return given;
}

function invalid(message: string, value: unknown): ScimError {
  return ScimError.of("invalidValue", `${message}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (isJsonObject(value)) return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
