/** JSON as it travels on the wire (RFC 7159), the only data a SCIM resource is made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * A SCIM resource as on the wire (RFC 7643 §8): `schemas`, `id`, core attributes by their
 * canonical names, and extension attributes in an object under their schema URN.
 */
export type ScimResource = JsonObject;

/** A plain JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep structural equality of two JSON values; key order does not matter. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const aKeys = Object.keys(a);
    if (aKeys.length !== Object.keys(b).length) return false;
    return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** A deep copy, so callers can change the result without touching the original. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/**
 * Looks up a member by name, ignoring letter case (RFC 7643 §2.1 makes attribute names
 * case-insensitive, and clients send `Operations`, `Schemas`, `Primary`...).
 * Returns the first matching key and its value.
 */
export function getIgnoringCase(object: JsonObject, name: string): { key: string; value: JsonValue } | undefined {
  if (Object.hasOwn(object, name)) return { key: name, value: object[name] as JsonValue };
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) {
    if (key.toLowerCase() === wanted) return { key, value };
  }
  return undefined;
}
