import { isJsonObject, type JsonObject, type JsonValue } from "../resource/json-value.js";
import { commonAttributes } from "../schema/common-attributes.js";
import type { AttributeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";

/**
 * Checks a document against the schema it claims, strictly: `schemas` lists the schema, required
 * attributes are present, every member is an attribute of the schema (or a common attribute,
 * RFC 7643 §3.1) spelled as defined, values have the defined type and plurality, and string values
 * are among canonicalValues where those are given. Returns the problems as "path: what"; [] is valid.
 *
 * Stricter than a server must be with clients, on purpose: it checks our own output, and the
 * extension schemas operators register (check-extension-schema.ts). canonicalValues
 * are treated as a closed set, which is right for the discovery schemas (their sets are the closed
 * ones of RFC 7643 §2.2, §2.3 and §5) although §7 calls canonicalValues in general suggestions.
 */
export function documentProblems(document: JsonValue, schema: SchemaDefinition): string[] {
  const problems: string[] = [];
  if (!isJsonObject(document)) return [`the document is not a JSON object`];
  const { schemas, ...attributes } = document;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) {
    problems.push(`schemas: must be an array of strings (RFC 7643 §3)`);
  } else if (!schemas.includes(schema.id)) {
    problems.push(`schemas: does not list "${schema.id}"`);
  }
  checkAttributes(attributes, schema.attributes, commonAttributes, "", problems);
  return problems;
}

/**
 * The rules of RFC 7643 §7 and §2.1 on a Schema document's attributes that the schema for schemas
 * cannot express as characteristics: subAttributes exactly on complex attributes, referenceTypes
 * exactly on references, names that follow ATTRNAME and are unique ignoring case at each level,
 * and no complex sub-attribute (§2.3.8), except in the schema for schemas itself, whose
 * `attributes.subAttributes` the RFC defines as one.
 */
export function schemaAttributeProblems(document: JsonObject): string[] {
  const problems: string[] = [];
  const attributes = document["attributes"];
  const nestedComplexAllowed = document["id"] === urn.schema;
  if (Array.isArray(attributes)) checkAttributeLevel(attributes, "attributes", nestedComplexAllowed, problems);
  return problems;
}

/**
 * The members of one object checked against attribute definitions as documentProblems checks a
 * document's, each problem prefixed by `path` (e.g. `attribute "region" `).
 */
export function memberProblems(object: JsonObject, definitions: readonly AttributeDefinition[], path: string): string[] {
  const problems: string[] = [];
  checkAttributes(object, definitions, [], path, problems);
  return problems;
}

function checkAttributes(
  object: JsonObject,
  definitions: readonly AttributeDefinition[],
  common: readonly AttributeDefinition[],
  path: string,
  problems: string[],
): void {
  for (const definition of definitions) {
    if (definition.required && isUnassigned(object[definition.name])) problems.push(`${path}${definition.name}: required but missing`);
  }
  for (const [name, value] of Object.entries(object)) {
    const definition = definitions.find((d) => d.name === name) ?? common.find((d) => d.name === name);
    if (definition === undefined) {
      problems.push(`${path}${name}: not an attribute of the schema`);
      continue;
    }
    checkValue(value, definition, `${path}${name}`, problems);
  }
}

/** RFC 7643 §2.5: null and [] mean unassigned. */
function isUnassigned(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

function checkValue(value: JsonValue, definition: AttributeDefinition, path: string, problems: string[]): void {
  if (value === null) {
    problems.push(`${path}: null; an unassigned attribute is left out`);
  } else if (definition.multiValued) {
    if (!Array.isArray(value)) problems.push(`${path}: multi-valued, so must be an array`);
    else {
      for (const [i, element] of value.entries()) checkSingleValue(element, definition, `${path}[${i}]`, problems);
    }
  } else if (Array.isArray(value)) {
    problems.push(`${path}: single-valued, so must not be an array`);
  } else {
    checkSingleValue(value, definition, path, problems);
  }
}

function checkSingleValue(value: JsonValue, definition: AttributeDefinition, path: string, problems: string[]): void {
  if (!hasType(value, definition)) {
    problems.push(`${path}: expected type ${definition.type}, got ${JSON.stringify(value)}`);
    return;
  }
  if (definition.type === "complex" && isJsonObject(value)) {
    checkAttributes(value, definition.subAttributes ?? [], [], `${path}.`, problems);
  }
  if (definition.canonicalValues !== undefined && typeof value === "string" && !definition.canonicalValues.includes(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${definition.canonicalValues.join(", ")}`);
  }
}

/** The JSON form of each data type (RFC 7643 §2.3). */
function hasType(value: JsonValue, definition: AttributeDefinition): boolean {
  switch (definition.type) {
    case "string":
    case "reference": // a URI (§2.3.7)
    case "binary": // base64 (§2.3.6)
      return typeof value === "string";
    case "dateTime": // xsd:dateTime (§2.3.5); Date.parse is close enough for our own output
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "decimal":
      return typeof value === "number" && Number.isFinite(value);
    case "complex":
      return isJsonObject(value);
  }
}

/** RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; "$ref" is the one reserved exception (§2.3.7). */
export const attributeName = /^[A-Za-z][A-Za-z0-9_-]*$/;

function checkAttributeLevel(
  attributes: readonly JsonValue[],
  path: string,
  nestedComplexAllowed: boolean,
  problems: string[],
  depth = 0,
): void {
  const seen = new Set<string>();
  attributes.forEach((attribute, i) => {
    if (!isJsonObject(attribute)) return; // documentProblems reports it
    const name = typeof attribute["name"] === "string" ? attribute["name"] : "";
    const at = `${path}[${i}] (${name})`;
    if (name !== "$ref" && !attributeName.test(name)) problems.push(`${at}: the name is not an ATTRNAME`);
    if (seen.has(name.toLowerCase())) problems.push(`${at}: the name repeats, ignoring case`);
    seen.add(name.toLowerCase());

    const type = attribute["type"];
    const subAttributes = attribute["subAttributes"];
    if (type === "complex") {
      if (depth > 0 && !nestedComplexAllowed) problems.push(`${at}: a sub-attribute must not be complex`);
      if (!Array.isArray(subAttributes) || subAttributes.length === 0) problems.push(`${at}: a complex attribute needs subAttributes`);
      else checkAttributeLevel(subAttributes, `${at}.subAttributes`, nestedComplexAllowed, problems, depth + 1);
    } else if (subAttributes !== undefined) {
      problems.push(`${at}: subAttributes on a ${String(type)} attribute`);
    }

    const referenceTypes = attribute["referenceTypes"];
    if (type === "reference") {
      if (!Array.isArray(referenceTypes) || referenceTypes.length === 0) problems.push(`${at}: a reference needs referenceTypes`);
    } else if (referenceTypes !== undefined) {
      problems.push(`${at}: referenceTypes on a ${String(type)} attribute`);
    }
  });
}
