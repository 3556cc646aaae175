import { ScimError } from "../errors/scim-error.js";
import { toComparableText } from "../resource/comparable-text.js";
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from "../resource/json-value.js";
import { findAttribute, type AttributeDefinition } from "../schema/schema-definition.js";

/**
 * Whether two values of a multi-valued attribute are the same value, so that adding it again
 * changes nothing (RFC 7644 §3.5.2.1) and removing it by value finds it (Entra's
 * `{"op":"Remove","path":"members","value":[{"value":"u1"}]}`, MS-COMPAT).
 * Values with a `value` sub-attribute are the same when `value` matches (honouring caseExact) and
 * `type` does not differ; other complex values are the same when equal apart from `primary`.
 */
export function sameValue(definition: AttributeDefinition, a: JsonValue, b: JsonValue): boolean {
  if (definition.type !== "complex" || !isJsonObject(a) || !isJsonObject(b)) return equalScalar(definition, a, b);
  const valueKey = identityKey(definition, a);
  if (valueKey !== undefined && identityKey(definition, b) !== undefined) {
    return valueKey === identityKey(definition, b) && !differs(definition, a, b, "type");
  }
  return jsonEqual(withoutPrimary(a), withoutPrimary(b));
}

/**
 * Adds values to a multi-valued attribute: a value that is already there is merged into the
 * existing one (so `primary` or `display` can be set by adding), others are appended.
 * Returns the new list and the values this made primary, for `keepOnePrimary`.
 */
export function addValues(
  definition: AttributeDefinition,
  existing: readonly JsonValue[],
  incoming: readonly JsonValue[],
  text: string,
): { values: JsonValue[]; promoted: JsonValue[] } {
  const values = [...existing];
  const promoted: JsonValue[] = [];
  const byKey = new Map<string, JsonValue[]>();
  const remember = (value: JsonValue) => {
    const key = identityKey(definition, value);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  };
  values.forEach(remember);
  for (const value of incoming) {
    const key = identityKey(definition, value);
    const candidates = key !== undefined ? (byKey.get(key) ?? []) : values;
    const same = candidates.find((candidate) => sameValue(definition, candidate, value));
    if (same === undefined) {
      values.push(value);
      remember(value);
    } else if (isJsonObject(same) && isJsonObject(value)) {
      mergeSubAttributes(definition, same, value, text);
    }
    if (isPrimary(value)) promoted.push(same ?? value);
  }
  return { values, promoted };
}

/** The values left after removing every value that is the same as one of `unwanted`. */
export function removeValues(definition: AttributeDefinition, existing: readonly JsonValue[], unwanted: readonly JsonValue[]): JsonValue[] {
  // Indexed by identity key, so removing thousands of members from a large group stays linear.
  const byKey = new Map<string, JsonValue[]>();
  const unkeyed: JsonValue[] = [];
  for (const value of unwanted) {
    const key = identityKey(definition, value);
    if (key === undefined) unkeyed.push(value);
    else byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  return existing.filter((value) => {
    const key = identityKey(definition, value);
    const candidates = key === undefined ? unwanted : [...(byKey.get(key) ?? []), ...unkeyed];
    return !candidates.some((u) => sameValue(definition, value, u));
  });
}

/**
 * Copies the sub-attributes of `incoming` onto `target`. Changing an immutable sub-attribute that
 * already has a value is a 400 mutability (RFC 7644 §3.5.2).
 */
export function mergeSubAttributes(definition: AttributeDefinition, target: JsonObject, incoming: JsonObject, text: string): void {
  for (const [key, value] of Object.entries(incoming)) {
    const sub = findAttribute(definition.subAttributes, key);
    const before = target[key];
    // The same value in another letter case is no change where caseExact is false (RFC 7644 §3.5.2.1).
    if (before !== undefined && (sub === undefined ? jsonEqual(before, value) : equalScalar(sub, before, value))) continue;
    if (sub?.mutability === "immutable" && before !== undefined) {
      throw ScimError.of("mutability", `${text}.${key} is immutable: it can be set once but not changed (RFC 7644 §3.5.2)`);
    }
    target[key] = value;
  }
}

/**
 * RFC 7644 §3.5.2: "a PATCH operation that sets a value's "primary" sub-attribute to "true" SHALL
 * cause the server to automatically set "primary" to "false" for any other values". `promoted` are
 * the values the operation made primary; more than one is a 400 invalidValue (RFC 7643 §2.4).
 */
export function keepOnePrimary(values: readonly JsonValue[], promoted: readonly JsonValue[], text: string): void {
  if (promoted.length > 1) {
    throw ScimError.of(
      "invalidValue",
      `the operation would make ${promoted.length} values of ${text} primary; at most one may be (RFC 7643 §2.4)`,
    );
  }
  if (promoted.length === 0) return;
  for (const value of values) {
    if (isJsonObject(value) && value["primary"] === true && !promoted.includes(value)) value["primary"] = false;
  }
}

/** Whether a value says `"primary": true`. */
export function isPrimary(value: JsonValue | undefined): boolean {
  return isJsonObject(value) && value["primary"] === true;
}

/** The key values are matched by: their `value` sub-attribute, folded as caseExact says. */
function identityKey(definition: AttributeDefinition, value: JsonValue): string | undefined {
  if (definition.type !== "complex") return typeof value === "string" ? toComparableText(value, definition.caseExact) : undefined;
  if (!isJsonObject(value)) return undefined;
  const sub = findAttribute(definition.subAttributes, "value");
  const raw = value["value"];
  if (sub === undefined || raw === undefined) return undefined;
  return typeof raw === "string" ? toComparableText(raw, sub.caseExact) : JSON.stringify(raw);
}

function differs(definition: AttributeDefinition, a: JsonObject, b: JsonObject, name: string): boolean {
  const sub = findAttribute(definition.subAttributes, name);
  const left = a[name];
  const right = b[name];
  if (sub === undefined || left === undefined || right === undefined) return false;
  return !equalScalar(sub, left, right);
}

function equalScalar(definition: AttributeDefinition, a: JsonValue, b: JsonValue): boolean {
  if (typeof a === "string" && typeof b === "string") {
    return toComparableText(a, definition.caseExact) === toComparableText(b, definition.caseExact);
  }
  return jsonEqual(a, b);
}

function withoutPrimary(value: JsonObject): JsonObject {
  const { primary: _primary, ...rest } = value;
  return rest;
}
