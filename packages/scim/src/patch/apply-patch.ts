import { ScimError } from "../errors/scim-error.js";
import type { Filter } from "../filter/filter-ast.js";
import { formatFilter } from "../filter/format-filter.js";
import { coerceAttributeElement, coerceAttributeValue } from "../resource/coerce-attribute-value.js";
import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue, type ScimResource } from "../resource/json-value.js";
import { schemasFor } from "../resource/normalize-resource.js";
import { lookupAttributePath } from "../schema/resolve-attribute-path.js";
import { findAttribute, type AttributeDefinition, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import { checkResourceLimits, checkValueCounts } from "../resource/check-resource-limits.js";
import { checkRequired } from "../resource/check-required.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";
import { addValues, isPrimary, keepOnePrimary, mergeSubAttributes, removeValues } from "./multi-valued.js";
import type { PatchOperation, PatchOperationType, PatchPath } from "./patch-operation.js";
import { resolvePatchTarget, type AttributeTarget, type PatchTarget } from "./patch-target.js";
import { parsePatchPath } from "./parse-patch-path.js";
import { checkPatchOperationCount } from "./parse-patch-request.js";

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a resource and returns the patched copy; the input
 * is never changed. The request is atomic: the first failing operation throws a 400 ScimError whose
 * detail names it (`Operations[2]: ...`), and nothing is returned.
 *
 * Values are typed by the same rules as resource bodies (`coerceAttributeValue`), so the result
 * satisfies what `normalizeResource` checks, limits and string rules included (checked on the
 * result, so a PATCH that fixes an over-long value passes). `meta` is left for the caller to update.
 */
export function applyPatch(
  resource: ScimResource,
  operations: readonly PatchOperation[],
  resourceType: ResourceTypeDefinition,
  limits: ScimLimits = defaultScimLimits,
): ScimResource {
  checkPatchOperationCount(operations.length, limits);
  const working = cloneJson(resource);
  operations.forEach((operation, index) => {
    try {
      applyOperation(working, operation, resourceType);
      checkValueCounts(working, resourceType, limits);
    } catch (error) {
      if (error instanceof ScimError && error.scimType !== undefined)
        throw ScimError.of(error.scimType, `Operations[${index}]: ${error.detail}`);
      throw error;
    }
  });
  for (const { schema } of resourceType.extensions) {
    const object = working[schema.id];
    if (object !== undefined && (!isJsonObject(object) || Object.keys(object).length === 0)) delete working[schema.id];
  }
  working["schemas"] = schemasFor(resourceType, working);
  // Per operation, removing a required attribute is refused (assertChangeAllowed); this catches
  // what no single removal does: an extension added without its required attributes.
  checkRequired(working, resourceType);
  checkResourceLimits(working, resourceType, limits);
  return working;
}

function applyOperation(resource: JsonObject, operation: PatchOperation, resourceType: ResourceTypeDefinition): void {
  if (operation.path !== undefined) {
    applyToTarget(resource, operation.op, resolvePatchTarget(operation.path, resourceType), operation.value);
    return;
  }
  // RFC 7644 §3.5.2.2: remove without a path fails with noTarget.
  if (operation.op === "remove") throw ScimError.of("noTarget", `"remove" needs a "path" naming what to remove (RFC 7644 §3.5.2.2)`);
  applyToAttributes(resource, operation.op, operation.value, resourceType);
}

/**
 * Without a path the value is an object of attributes (RFC 7644 §3.5.2.1, §3.5.2.3), each applied as
 * if it were the path. Keys may be dotted (`"name.givenName"`) or URN-qualified
 * (`"urn:...:enterprise:2.0:User:employeeNumber"`), as Entra sends them (MS-COMPAT), or an extension
 * URN with an object of its attributes. Unknown keys are ignored, as in resource bodies (RFC 7644 §3.3).
 */
function applyToAttributes(resource: JsonObject, op: "add" | "replace", value: unknown, resourceType: ResourceTypeDefinition): void {
  if (!isJsonObject(value)) {
    throw ScimError.of(
      "invalidValue",
      `"${op}" without a path needs a JSON object of attributes as its value (RFC 7644 §3.5.2.${op === "add" ? 1 : 3})`,
    );
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.toLowerCase() === "schemas") continue;
    const target = targetForKey(key, resourceType);
    if (target !== undefined) applyToTarget(resource, op, target, item);
  }
}

function targetForKey(key: string, resourceType: ResourceTypeDefinition): PatchTarget | undefined {
  let path: PatchPath;
  try {
    path = parsePatchPath(key);
  } catch {
    return undefined;
  }
  const { valueFilter: _filter, ...attributePath } = path;
  if (lookupAttributePath(attributePath, resourceType).kind === "unknown") return undefined;
  return resolvePatchTarget(path, resourceType);
}

function applyToTarget(resource: JsonObject, op: PatchOperationType, target: PatchTarget, value: unknown): void {
  if (target.kind === "extension") {
    applyToExtension(resource, op, target, value);
    return;
  }
  const holder = holderOf(resource, target.resolved.extension, op !== "remove");
  if (holder === undefined) return;
  if (op !== "remove") refuseReadOnly(holder, target, value);
  if (op === "add") add(holder, target, value);
  else if (op === "replace") replace(holder, target, value);
  else remove(holder, target, value);
}

/**
 * RFC 7644 §3.5.2: a readOnly attribute cannot be modified. Coercion drops readOnly sub-attributes,
 * which would turn `add groups [...]` into a silent no-op, so writes to a whole readOnly attribute
 * are refused here. A simple one may be sent back unchanged: Okta includes the group's `id` in its
 * path-less rename (OKTA-REF). Sub-attribute and filtered targets are checked value by value later.
 */
function refuseReadOnly(holder: JsonObject, target: AttributeTarget, value: unknown): void {
  const { attribute, subAttribute } = target.resolved;
  if (attribute.mutability !== "readOnly" || subAttribute !== undefined || target.valueFilter !== undefined) return;
  const before = holder[attribute.name];
  if ((value === null || value === undefined) && before === undefined) return;
  if (attribute.type !== "complex") {
    const after = attribute.multiValued ? coerceValues(attribute, value, target.text) : coerceAttributeValue(attribute, value, target.text);
    if (jsonEqual(before, after)) return;
  }
  throw ScimError.of("mutability", `${target.text} is readOnly and cannot be modified (RFC 7644 §3.5.2)`);
}

/** The object an attribute lives in: the resource, or its extension object (created for add/replace). */
function holderOf(resource: JsonObject, extension: string | undefined, create: boolean): JsonObject | undefined {
  if (extension === undefined) return resource;
  const existing = resource[extension];
  if (isJsonObject(existing)) return existing;
  if (!create) return undefined;
  const created: JsonObject = {};
  resource[extension] = created;
  return created;
}

/** A path naming a whole extension: its value is an object of the extension's attributes. */
function applyToExtension(
  resource: JsonObject,
  op: PatchOperationType,
  target: Extract<PatchTarget, { kind: "extension" }>,
  value: unknown,
): void {
  const { schema } = target;
  const attributeTarget = (definition: AttributeDefinition): AttributeTarget => ({
    kind: "attribute",
    resolved: { path: { schema: schema.id, attribute: definition.name }, extension: schema.id, attribute: definition },
    text: `${schema.id}:${definition.name}`,
  });
  if (op === "remove" || (op === "replace" && (value === null || value === undefined))) {
    if (target.required)
      throw ScimError.of("mutability", `the extension "${schema.id}" is required and cannot be removed (RFC 7644 §3.5.2)`);
    const holder = holderOf(resource, schema.id, false);
    if (holder === undefined) return;
    for (const definition of schema.attributes) write(holder, definition, undefined, attributeTarget(definition).text);
    delete resource[schema.id];
    return;
  }
  if (!isJsonObject(value)) throw ScimError.of("invalidValue", `"${schema.id}" takes a JSON object of the extension's attributes`);
  const holder = holderOf(resource, schema.id, true) as JsonObject;
  for (const [key, item] of Object.entries(value)) {
    const definition = findAttribute(schema.attributes, key);
    if (definition === undefined) continue;
    const attribute = attributeTarget(definition);
    refuseReadOnly(holder, attribute, item);
    if (op === "add") add(holder, attribute, item);
    else replace(holder, attribute, item);
  }
}

// ---- add (RFC 7644 §3.5.2.1) ----

function add(holder: JsonObject, target: AttributeTarget, value: unknown): void {
  const { attribute, subAttribute } = target.resolved;
  if (target.valueFilter !== undefined) addWithFilter(holder, target, target.valueFilter.filter, target.valueFilter.matches, value);
  else if (subAttribute !== undefined) setSubAttribute(holder, target, subAttribute, value, "add");
  else if (attribute.multiValued) addToMultiValued(holder, target, value);
  else if (attribute.type === "complex") mergeComplex(holder, target, value, "add");
  else {
    // "If the target location specifies a single-valued attribute, the existing value is replaced."
    const after = coerceAttributeValue(attribute, value, target.text);
    if (after !== undefined) write(holder, attribute, after, target.text);
  }
}

/** "If the target location specifies a multi-valued attribute, a new value is added to the attribute." */
function addToMultiValued(holder: JsonObject, target: AttributeTarget, value: unknown): void {
  const { attribute } = target.resolved;
  const incoming = coerceValues(attribute, value, target.text);
  if (incoming === undefined) return;
  const existing = cloneJson(listOf(holder[attribute.name]));
  const { values, promoted } = addValues(attribute, existing, incoming, target.text);
  keepOnePrimary(values, promoted, target.text);
  write(holder, attribute, values, target.text);
}

/**
 * `emails[type eq "work"].value` with add: sets the sub-attribute on the matching values. When none
 * matches, a new value is created from the filter's `eq` conditions plus the given value: RFC 7644
 * §3.5.2.1 says a target that does not exist is added, and Entra adds a changed work email this way
 * (MS-QA). A filter that does not spell out a value (or, ne, co...) then fails with noTarget.
 */
function addWithFilter(
  holder: JsonObject,
  target: AttributeTarget,
  filter: Filter,
  matches: (v: JsonValue) => boolean,
  value: unknown,
): void {
  const { attribute, subAttribute } = target.resolved;
  const elements = cloneJson(elementsOf(holder, attribute));
  const matched = elements.filter(matches);
  let promoted: JsonValue[];
  if (matched.length > 0 && subAttribute !== undefined) {
    const after = coerceAttributeValue(subAttribute, value, target.text);
    if (after === undefined) return;
    for (const element of matched) setOnElement(subAttribute, element, after, target.text);
    promoted = subAttribute.name === "primary" && after === true ? matched : [];
  } else if (matched.length > 0) {
    const incoming = coerceAttributeElement(attribute, value, target.text);
    if (!isJsonObject(incoming)) return;
    for (const element of matched) if (isJsonObject(element)) mergeSubAttributes(attribute, element, incoming, target.text);
    promoted = isPrimary(incoming) ? matched : [];
  } else {
    const created = createFromFilter(attribute, filter, subAttribute, value, target.text, !attribute.multiValued && elements.length > 0);
    if (created === undefined) return;
    elements.push(created);
    promoted = isPrimary(created) ? [created] : [];
  }
  keepOnePrimary(elements, promoted, target.text);
  storeElements(holder, attribute, elements, target.text);
}

function createFromFilter(
  attribute: AttributeDefinition,
  filter: Filter,
  subAttribute: AttributeDefinition | undefined,
  value: unknown,
  text: string,
  occupied: boolean,
): JsonObject | undefined {
  const seed = occupied ? undefined : seedFromFilter(filter);
  if (seed === undefined) {
    throw ScimError.of(
      "noTarget",
      `no value of ${attribute.name} matches [${formatFilter(filter)}], and a new one can only be made from "eq" conditions joined by "and"`,
    );
  }
  const given =
    subAttribute === undefined ? coerceAttributeElement(attribute, value, text) : coerceAttributeValue(subAttribute, value, text);
  if (given === undefined) return undefined;
  const raw = subAttribute === undefined ? { ...seed, ...(given as JsonObject) } : { ...seed, [subAttribute.name]: given };
  return coerceAttributeElement(attribute, raw, text) as JsonObject;
}

/** `type eq "work" and primary eq true` → `{type: "work", primary: true}`; undefined for anything else. */
function seedFromFilter(filter: Filter): JsonObject | undefined {
  if (filter.kind === "compare" && filter.operator === "eq" && filter.value !== null) return { [filter.path.attribute]: filter.value };
  if (filter.kind !== "and") return undefined;
  const left = seedFromFilter(filter.left);
  const right = seedFromFilter(filter.right);
  if (left === undefined || right === undefined) return undefined;
  const clash = Object.keys(right).some((key) => key in left && !jsonEqual(left[key], right[key]));
  return clash ? undefined : { ...left, ...right };
}

// ---- replace (RFC 7644 §3.5.2.3) ----

function replace(holder: JsonObject, target: AttributeTarget, value: unknown): void {
  const { attribute, subAttribute } = target.resolved;
  if (target.valueFilter !== undefined) replaceWithFilter(holder, target, target.valueFilter.filter, target.valueFilter.matches, value);
  else if (subAttribute !== undefined) setSubAttribute(holder, target, subAttribute, value, "replace");
  // "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced."
  else if (attribute.multiValued) write(holder, attribute, coerceValues(attribute, value, target.text), target.text);
  else if (attribute.type === "complex") mergeComplex(holder, target, value, "replace");
  else write(holder, attribute, coerceAttributeValue(attribute, value, target.text), target.text);
}

/**
 * "If the target location is a multi-valued attribute and a value selection ("valuePath") filter is
 * specified that matches one or more values ..., then all matching record values SHALL be replaced";
 * with a sub-attribute, that sub-attribute of every match is; no match is a 400 noTarget.
 */
function replaceWithFilter(
  holder: JsonObject,
  target: AttributeTarget,
  filter: Filter,
  matches: (v: JsonValue) => boolean,
  value: unknown,
): void {
  const { attribute, subAttribute } = target.resolved;
  const elements = cloneJson(elementsOf(holder, attribute));
  const matched = elements.filter(matches);
  if (matched.length === 0) {
    throw ScimError.of("noTarget", `no value of ${attribute.name} matches [${formatFilter(filter)}] (RFC 7644 §3.5.2.3)`);
  }
  let result = elements;
  let promoted: JsonValue[] = [];
  if (subAttribute !== undefined) {
    const after = coerceAttributeValue(subAttribute, value, target.text);
    for (const element of matched) setOnElement(subAttribute, element, after, target.text);
    if (subAttribute.name === "primary" && after === true) promoted = matched;
  } else {
    const replacement = coerceAttributeElement(attribute, value, target.text);
    const replaced: JsonValue[] = [];
    result = elements.flatMap((element) => {
      if (!matched.includes(element)) return [element];
      // Several matches replaced by one value leave that value once.
      if (replacement === undefined || replaced.length > 0) return [];
      const copy = cloneJson(replacement);
      replaced.push(copy);
      return [copy];
    });
    if (isPrimary(replacement)) promoted = replaced;
  }
  keepOnePrimary(result, promoted, target.text);
  storeElements(holder, attribute, result, target.text);
}

// ---- remove (RFC 7644 §3.5.2.2) ----

function remove(holder: JsonObject, target: AttributeTarget, value: unknown): void {
  const { attribute, subAttribute } = target.resolved;
  if (target.valueFilter !== undefined) {
    // "the values matched by the filter are removed"; removing what is not there changes nothing.
    const { matches } = target.valueFilter;
    if (subAttribute === undefined) {
      storeElements(
        holder,
        attribute,
        elementsOf(holder, attribute).filter((e) => !matches(e)),
        target.text,
      );
      return;
    }
    // Values are changed on a copy, so `write` still sees the difference and checks mutability.
    const elements = cloneJson(elementsOf(holder, attribute));
    for (const element of elements.filter(matches)) setOnElement(subAttribute, element, undefined, target.text);
    storeElements(holder, attribute, elements, target.text);
    return;
  }
  if (subAttribute !== undefined && attribute.multiValued) {
    const elements = cloneJson(listOf(holder[attribute.name]));
    for (const element of elements) setOnElement(subAttribute, element, undefined, target.text);
    storeElements(holder, attribute, elements, target.text);
    return;
  }
  if (subAttribute !== undefined) {
    setSubAttribute(holder, target, subAttribute, null, "remove");
    return;
  }
  if (attribute.multiValued && value !== undefined && value !== null) {
    // Entra's legacy dialect removes members by listing them in "value" (MS-COMPAT).
    const unwanted = coerceValues(attribute, value, target.text) ?? [];
    const remaining = removeValues(attribute, listOf(holder[attribute.name]), unwanted);
    write(holder, attribute, remaining.length > 0 ? remaining : undefined, target.text);
    return;
  }
  write(holder, attribute, undefined, target.text);
}

// ---- shared steps ----

/**
 * Add or replace on a single-valued complex attribute sets the sub-attributes given and leaves the
 * others unchanged (RFC 7644 §3.5.2.3); with replace, a null sub-attribute is removed and a null
 * value removes the attribute. A new `value` on a reference-like attribute (Entra's manager) starts
 * a fresh object, since the old `$ref` and `display` describe another resource.
 */
function mergeComplex(holder: JsonObject, target: AttributeTarget, value: unknown, op: "add" | "replace"): void {
  const { attribute } = target.resolved;
  const given = coerceAttributeValue(attribute, value, target.text);
  const raw = Array.isArray(value) ? value[0] : value;
  if (!isJsonObject(raw) && given === undefined) {
    if (op === "replace") write(holder, attribute, undefined, target.text);
    return;
  }
  const before = holder[attribute.name];
  const incoming = isJsonObject(given) ? given : {};
  const newReference = incoming["value"] !== undefined && isJsonObject(before) && !jsonEqual(before["value"], incoming["value"]);
  const next: JsonObject = isJsonObject(before) && !newReference ? { ...before } : {};
  if (op === "replace" && isJsonObject(raw)) {
    for (const name of clearedSubAttributes(attribute, raw)) delete next[name];
  }
  Object.assign(next, incoming);
  for (const sub of attribute.subAttributes ?? []) {
    const old = isJsonObject(before) ? before[sub.name] : undefined;
    // readOnly sub-attributes are the server's (manager.displayName): dropping them with the old reference is fine.
    if (sub.mutability !== "readOnly" && !jsonEqual(old, next[sub.name]))
      assertChangeAllowed(sub, old, next[sub.name], `${target.text}.${sub.name}`);
  }
  write(holder, attribute, Object.keys(next).length > 0 ? next : undefined, target.text);
}

/** Sub-attributes the client set to null (or another "unassigned" form) in a replace value. */
function clearedSubAttributes(attribute: AttributeDefinition, raw: JsonObject): string[] {
  return Object.entries(raw).flatMap(([key, value]) => {
    const sub = findAttribute(attribute.subAttributes, key);
    if (sub === undefined || sub.mutability === "readOnly") return [];
    return coerceAttributeValue(sub, value, key) === undefined ? [sub.name] : [];
  });
}

/** `name.givenName`: one sub-attribute of a single-valued complex attribute. */
function setSubAttribute(
  holder: JsonObject,
  target: AttributeTarget,
  subAttribute: AttributeDefinition,
  value: unknown,
  op: PatchOperationType,
): void {
  const { attribute } = target.resolved;
  if (attribute.multiValued) {
    throw ScimError.of(
      "invalidPath",
      `${target.text} names a sub-attribute of every ${attribute.name} value; select values with a filter, e.g. ${attribute.name}[type eq "work"].${subAttribute.name}`,
    );
  }
  const after = coerceAttributeValue(subAttribute, value, target.text);
  if (after === undefined && op === "add") return;
  const before = holder[attribute.name];
  const next: JsonObject = isJsonObject(before) ? { ...before } : {};
  setOnElement(subAttribute, next, after, target.text);
  write(holder, attribute, Object.keys(next).length > 0 ? next : undefined, target.text);
}

/** Sets (or, for undefined, removes) one sub-attribute of one value, checking its mutability. */
function setOnElement(subAttribute: AttributeDefinition, element: JsonValue, after: JsonValue | undefined, text: string): void {
  if (!isJsonObject(element)) return;
  const before = element[subAttribute.name];
  if (jsonEqual(before, after)) return;
  assertChangeAllowed(subAttribute, before, after, text);
  if (after === undefined) delete element[subAttribute.name];
  else element[subAttribute.name] = after;
}

/** Writes an attribute's new value (undefined removes it) after checking its mutability. */
function write(holder: JsonObject, definition: AttributeDefinition, after: JsonValue | undefined, text: string): void {
  const before = holder[definition.name];
  if (jsonEqual(before, after)) return;
  assertChangeAllowed(definition, before, after, text);
  if (after === undefined) delete holder[definition.name];
  else holder[definition.name] = after;
}

/**
 * RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability "readOnly" or
 * "immutable". However, a client MAY "add" a value to an "immutable" attribute if the attribute had
 * no previous value", and an attribute that is required or readOnly cannot be removed or become
 * unassigned; all are 400 mutability. Callers skip this when nothing changes, so a client may send
 * a readOnly value back unchanged (Okta includes the group's `id` in its PATCH values).
 */
function assertChangeAllowed(
  definition: AttributeDefinition,
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  text: string,
): void {
  if (definition.mutability === "readOnly") {
    throw ScimError.of("mutability", `${text} is readOnly and cannot be modified (RFC 7644 §3.5.2)`);
  }
  if (definition.mutability === "immutable" && before !== undefined) {
    throw ScimError.of("mutability", `${text} is immutable: it can be set once but not changed (RFC 7644 §3.5.2)`);
  }
  if (definition.required && after === undefined) {
    throw ScimError.of("mutability", `${text} is required and cannot be removed (RFC 7644 §3.5.2)`);
  }
}

/**
 * The values of a multi-valued attribute from a PATCH value. RFC 7644 §3.5.2.1 lets the value be "a
 * quoted value, or ... a JSON object containing the sub-attributes", so a single value is taken as a
 * list of one.
 */
function coerceValues(attribute: AttributeDefinition, value: unknown, text: string): JsonValue[] | undefined {
  const list = Array.isArray(value) || value === null || value === undefined ? value : [value];
  return coerceAttributeValue(attribute, list, text) as JsonValue[] | undefined;
}

function listOf(value: JsonValue | undefined): JsonValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The values a value filter looks through: all values of a multi-valued attribute, or the one complex value. */
function elementsOf(holder: JsonObject, attribute: AttributeDefinition): JsonValue[] {
  return listOf(holder[attribute.name]);
}

/** Writes back filtered values, dropping values left empty; no values left means unassigned (RFC 7644 §3.5.2.2). */
function storeElements(holder: JsonObject, attribute: AttributeDefinition, elements: JsonValue[], text: string): void {
  const kept = elements.filter((e) => !isJsonObject(e) || Object.keys(e).length > 0);
  if (attribute.multiValued) write(holder, attribute, kept.length > 0 ? kept : undefined, text);
  else write(holder, attribute, kept[0], text);
}
