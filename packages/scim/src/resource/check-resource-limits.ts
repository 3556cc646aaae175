import { ScimError } from "../errors/scim-error.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { coreLevelAttributes } from "../schema/resolve-attribute-path.js";
import type { AttributeDefinition, ResourceTypeDefinition } from "../schema/schema-definition.js";
import { checkString, type StringKind } from "../limits/check-string.js";
import type { ScimLimits } from "../limits/scim-limits.js";

/**
 * The string rules that differ from `text`, by resource type and attribute (`attr` or
 * `attr.subAttr`, canonical spelling); see StringKind for what each means.
 */
const stringKinds: Readonly<Record<string, Readonly<Record<string, StringKind>>>> = {
  User: { userName: "identifier", externalId: "identifier", displayName: "name", "addresses.formatted": "multiLine" },
  // A group's displayName is what Okta and Entra look groups up by, so it identifies like a userName.
  Group: { displayName: "identifier", externalId: "identifier", "members.value": "identifier" },
};

/** Members are rows of their own, limited per request (maxMembers), and not part of the stored resource's size. */
function isMembers(resourceType: ResourceTypeDefinition, definition: AttributeDefinition): boolean {
  return resourceType.name === "Group" && definition.name === "members";
}

/**
 * Checks a resource as it is about to be stored (a normalised POST/PUT body or a PATCH result)
 * against the limits and string rules: lengths, characters, values per multi-valued attribute and
 * total size. Only what clients write is checked: readOnly attributes (id, meta, a user's groups)
 * are the server's. Throws 400 invalidValue naming the attribute and the limit.
 *
 * 400 invalidValue rather than 413: the limit is on the resource, which a PATCH can outgrow with
 * a small body, and RFC 7644 §3.12 keeps 413 for the request payload (MAX_BODY_SIZE).
 */
export function checkResourceLimits(resource: JsonObject, resourceType: ResourceTypeDefinition, limits: ScimLimits): void {
  const kinds = stringKinds[resourceType.name] ?? {};
  const counted: JsonObject = {};
  for (const definition of coreLevelAttributes(resourceType)) {
    const value = resource[definition.name];
    if (value === undefined || definition.mutability === "readOnly") continue;
    checkAttribute(resourceType, definition, value, definition.name, kinds, limits);
    if (!isMembers(resourceType, definition)) counted[definition.name] = value;
  }
  for (const { schema } of resourceType.extensions) {
    const object = resource[schema.id];
    if (!isJsonObject(object)) continue;
    const kept: JsonObject = {};
    for (const definition of schema.attributes) {
      const value = object[definition.name];
      if (value === undefined || definition.mutability === "readOnly") continue;
      checkAttribute(resourceType, definition, value, `${schema.id}:${definition.name}`, {}, limits);
      kept[definition.name] = value;
    }
    counted[schema.id] = kept;
  }
  const bytes = utf8Length(JSON.stringify(counted));
  if (bytes > limits.maxResourceBytes) {
    throw ScimError.of(
      "invalidValue",
      `the ${resourceType.name} would be ${bytes} bytes as JSON; at most ${limits.maxResourceBytes} are allowed (members and server-set attributes aside)`,
    );
  }
}

/**
 * Only the value counts of multi-valued attributes: cheap enough to run after every PATCH
 * operation, so that thousands of `add` operations fail at the limit instead of each copying an
 * ever longer list (which made a PATCH quadratic in its operations).
 */
export function checkValueCounts(resource: JsonObject, resourceType: ResourceTypeDefinition, limits: ScimLimits): void {
  const check = (definition: AttributeDefinition, value: JsonValue | undefined, path: string) => {
    if (definition.multiValued && Array.isArray(value)) checkCount(resourceType, definition, value, path, limits);
  };
  for (const definition of coreLevelAttributes(resourceType)) check(definition, resource[definition.name], definition.name);
  for (const { schema } of resourceType.extensions) {
    const object = resource[schema.id];
    if (!isJsonObject(object)) continue;
    for (const definition of schema.attributes) check(definition, object[definition.name], `${schema.id}:${definition.name}`);
  }
}

function checkCount(
  resourceType: ResourceTypeDefinition,
  definition: AttributeDefinition,
  values: readonly JsonValue[],
  path: string,
  limits: ScimLimits,
): void {
  const max = isMembers(resourceType, definition) ? limits.maxMembers : limits.maxMultiValuedElements;
  if (values.length > max) throw ScimError.of("invalidValue", `${path} has ${values.length} values; at most ${max} are allowed`);
}

function checkAttribute(
  resourceType: ResourceTypeDefinition,
  definition: AttributeDefinition,
  value: JsonValue,
  path: string,
  kinds: Readonly<Record<string, StringKind>>,
  limits: ScimLimits,
): void {
  if (!Array.isArray(value)) {
    checkElement(definition, value, path, kinds, limits);
    return;
  }
  if (definition.multiValued) checkCount(resourceType, definition, value, path, limits);
  for (const [index, element] of value.entries()) checkElement(definition, element, `${path}[${index}]`, kinds, limits);
}

function checkElement(
  definition: AttributeDefinition,
  value: JsonValue,
  path: string,
  kinds: Readonly<Record<string, StringKind>>,
  limits: ScimLimits,
): void {
  if (typeof value === "string") {
    checkString(value, path, kinds[definition.name] ?? "text", limits);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const sub of definition.subAttributes ?? []) {
    const item = value[sub.name];
    if (sub.mutability === "readOnly" || item === undefined) continue;
    const kind = kinds[`${definition.name}.${sub.name}`] ?? "text";
    const items = Array.isArray(item) ? item : [item];
    for (const text of items) if (typeof text === "string") checkString(text, `${path}.${sub.name}`, kind, limits);
  }
}

/** Bytes of a string in UTF-8, without encoding it (a surrogate pair is 4 bytes, 2 per half). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
  }
  return bytes;
}
