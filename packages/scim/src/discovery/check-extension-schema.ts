import { attributeName, memberProblems } from "./check-document.js";
import { schemaSchema } from "./schema-schema.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../resource/json-value.js";
import { oktaCatalogUrn } from "../schema/okta-catalog-schemas.js";
import {
  attribute,
  findAttribute,
  type AttributeDefinition,
  type AttributeType,
  type Mutability,
  type ResourceTypeDefinition,
  type Returned,
  type SchemaDefinition,
  type Uniqueness,
} from "../schema/schema-definition.js";
import { urn } from "../schema/urns.js";

/** The most attributes an extension has at its top level, and the most sub-attributes of one complex attribute. */
export const maxExtensionAttributes = 100;
/** The longest attribute name of an extension. */
export const maxExtensionAttributeNameLength = 64;
/** The longest extension URN (the directory's key column holds 512). */
export const maxExtensionUrnLength = 512;
/** The longest description or name of an extension or attribute, and the most canonicalValues one attribute lists. */
const maxTextLength = 1000;
const maxCanonicalValues = 1000;

/**
 * The common attributes of RFC 7643 §3.1 plus `schemas` (§3): every resource has them at its top
 * level, where an extension's attributes are read beside them by path, so a name that repeats one
 * would be ambiguous in a filter or PATCH path written without the URN.
 */
const reservedAttributeNames = new Set(["schemas", "id", "externalid", "meta"]);

/** URNs no tenant may register: the RFCs' own schemas and messages, and Okta's catalog schemas. */
const reservedUrns = new Set([...Object.values(urn), ...Object.values(oktaCatalogUrn)].map((id) => id.toLowerCase()));

// RFC 8141 §2: "urn:" NID ":" NSS, the NID 2-32 letters, digits and hyphens starting with an
// alphanumeric. Whitespace, quotes and backslashes are refused in the NSS: a filter path cannot
// hold them, and the directory reads values by the URN as a JSON path.
const urnSyntax = /^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:[^\s"\\]+$/i;

/** What RFC 7643 §7 describes every attribute by, from the schema for schemas (subAttributes apart: checked per attribute). */
const characteristics = (findAttribute(schemaSchema.attributes, "attributes")?.subAttributes ?? []).filter(
  (definition) => definition.name !== "subAttributes",
);
/** The schema document's own members besides `attributes`: id, name, description. */
const documentMembers = schemaSchema.attributes.filter((definition) => definition.name !== "attributes");

/** An extension schema an operator gave: the schema, or every problem found. */
export type ParsedExtensionSchema = { schema: SchemaDefinition; problems: [] } | { schema: undefined; problems: string[] };

/**
 * Reads an extension schema in RFC 7643 §7's form (what /Schemas/{id} returns, and what
 * schemaDocument renders, so `schemas` and `meta` are tolerated) and checks it against the schema
 * for schemas and this server's rules for extensions (checkExtensionSchema). Characteristics left
 * out take RFC 7643 §2.2's defaults. Returns every problem, each naming the attribute and the rule.
 */
export function parseExtensionSchema(document: unknown, base: ResourceTypeDefinition): ParsedExtensionSchema {
  if (!isJsonObject(document)) return { schema: undefined, problems: ["the document must be a JSON object (RFC 7643 §7)"] };
  const { schemas, meta: _meta, attributes, ...members } = document;
  const problems = memberProblems(members, documentMembers, "");
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.length === 1 && schemas[0] === urn.schema)) {
    problems.push(`schemas: when given, must be ["${urn.schema}"] (RFC 7643 §7)`);
  }
  if (!Array.isArray(attributes) || attributes.length === 0) {
    problems.push("attributes: an extension lists at least one attribute (RFC 7643 §7)");
  } else {
    for (const [i, element] of attributes.entries()) checkAttributeMembers(element, "", `attributes[${i}]`, problems);
  }
  if (problems.length > 0) return { schema: undefined, problems };

  const schema: SchemaDefinition = {
    id: String(members["id"]),
    name: String(members["name"]),
    description: typeof members["description"] === "string" ? members["description"] : "",
    attributes: (attributes as JsonObject[]).map(attributeOfMembers),
  };
  const ruleProblems = checkExtensionSchema(schema, base);
  return ruleProblems.length > 0 ? { schema: undefined, problems: ruleProblems } : { schema, problems: [] };
}

/** How a problem names an attribute: its path, e.g. `attribute "address.city"`, or its place when it has no name. */
function labelOf(element: JsonObject, parent: string, place: string): string {
  const name = element["name"];
  return typeof name === "string" && name !== "" ? `attribute "${parent}${name}"` : place;
}

/** An attribute's members against RFC 7643 §7's characteristics: names, JSON types, plurality and the closed value sets. */
function checkAttributeMembers(element: JsonValue, parent: string, place: string, problems: string[]): void {
  if (!isJsonObject(element)) {
    problems.push(`${place}: an attribute is a JSON object of its characteristics (RFC 7643 §7)`);
    return;
  }
  const { subAttributes, ...members } = element;
  const label = labelOf(element, parent, place);
  problems.push(...memberProblems(members, characteristics, `${label} `));
  if (subAttributes === undefined) return;
  if (!Array.isArray(subAttributes)) {
    problems.push(`${label} subAttributes: must be an array of attributes (RFC 7643 §7)`);
    return;
  }
  const name = typeof element["name"] === "string" ? element["name"] : "";
  for (const [i, sub] of subAttributes.entries()) checkAttributeMembers(sub, `${name}.`, `${label} subAttributes[${i}]`, problems);
}

/** An attribute's definition from members memberProblems passed, with RFC 7643 §2.2's defaults for those left out. */
function attributeOfMembers(members: JsonObject): AttributeDefinition {
  const strings = (value: JsonValue | undefined) => (Array.isArray(value) ? value.map(String) : undefined);
  const canonicalValues = strings(members["canonicalValues"]);
  const referenceTypes = strings(members["referenceTypes"]);
  const subAttributes = members["subAttributes"];
  return attribute(String(members["name"]), members["type"] as AttributeType, {
    multiValued: members["multiValued"] === true,
    description: typeof members["description"] === "string" ? members["description"] : "",
    required: members["required"] === true,
    caseExact: members["caseExact"] === true,
    ...(typeof members["mutability"] === "string" ? { mutability: members["mutability"] as Mutability } : {}),
    ...(typeof members["returned"] === "string" ? { returned: members["returned"] as Returned } : {}),
    ...(typeof members["uniqueness"] === "string" ? { uniqueness: members["uniqueness"] as Uniqueness } : {}),
    ...(canonicalValues !== undefined && canonicalValues.length > 0 ? { canonicalValues } : {}),
    ...(referenceTypes !== undefined && referenceTypes.length > 0 ? { referenceTypes } : {}),
    ...(Array.isArray(subAttributes) ? { subAttributes: (subAttributes as JsonObject[]).map(attributeOfMembers) } : {}),
  });
}

/**
 * This server's rules for a tenant's extension schema of `base` (the built-in resource type it
 * extends), beyond the JSON shape RFC 7643 §7 gives: [] when it may be registered, else every
 * problem, each naming the attribute and the rule.
 *
 * `caseExact` is accepted on every type and means something only on string and reference
 * attributes (binary ones are always compared exactly, RFC 7643 §2.3.6): IdPs' exported schemas
 * state it everywhere, and refusing it would only make operators edit them.
 */
export function checkExtensionSchema(schema: SchemaDefinition, base: ResourceTypeDefinition): string[] {
  const problems: string[] = [];
  const id = schema.id;
  const builtIn = [base.schema, ...base.extensions.map((e) => e.schema)].map((s) => s.id.toLowerCase());
  if (id.length > maxExtensionUrnLength) problems.push(`id: at most ${maxExtensionUrnLength} characters`);
  else if (!urnSyntax.test(id))
    problems.push(`id: "${id}" is not a URN ("urn:" namespace ":" name, RFC 8141), e.g. "urn:acme:scim:2.0:User"`);
  else if (reservedUrns.has(id.toLowerCase()) || builtIn.includes(id.toLowerCase())) {
    problems.push(`id: "${id}" is a built-in schema of this server; an extension needs a URN of its own`);
  }
  if (schema.name.trim() === "") problems.push("name: required (RFC 7643 §7)");
  if (schema.name.length > maxTextLength) problems.push(`name: at most ${maxTextLength} characters`);
  if (schema.description.length > maxTextLength) problems.push(`description: at most ${maxTextLength} characters`);
  if (schema.attributes.length === 0) problems.push("attributes: an extension lists at least one attribute (RFC 7643 §7)");
  checkLevel(schema.attributes, "", problems);
  return problems;
}

function checkLevel(attributes: readonly AttributeDefinition[], parent: string, problems: string[]): void {
  const level = parent === "" ? "attributes" : `attribute "${parent.slice(0, -1)}" subAttributes`;
  if (attributes.length > maxExtensionAttributes) problems.push(`${level}: at most ${maxExtensionAttributes}`);
  const seen = new Set<string>();
  for (const definition of attributes) {
    const at = `attribute "${parent}${definition.name}"`;
    const folded = definition.name.toLowerCase();
    if (seen.has(folded)) problems.push(`${at}: the name repeats, and attribute names are compared ignoring case (RFC 7643 §2.1)`);
    seen.add(folded);
    checkAttribute(definition, parent, at, problems);
  }
}

/** The rules of one attribute; a row per rule, each saying why it holds. */
function checkAttribute(definition: AttributeDefinition, parent: string, at: string, problems: string[]): void {
  const { name, type } = definition;
  const isSub = parent !== "";
  // RFC 7643 §2.1's ATTRNAME: the grammar filter and PATCH paths are parsed by.
  if (!attributeName.test(name)) problems.push(`${at}: a name starts with a letter, then letters, digits, "-" and "_" (RFC 7643 §2.1)`);
  if (name.length > maxExtensionAttributeNameLength)
    problems.push(`${at}: a name is at most ${maxExtensionAttributeNameLength} characters`);
  if (!isSub && reservedAttributeNames.has(name.toLowerCase())) {
    problems.push(`${at}: "${name}" is a common attribute of every resource (RFC 7643 §3.1) and cannot be redefined`);
  }
  if (definition.description.length > maxTextLength) problems.push(`${at}: a description is at most ${maxTextLength} characters`);
  // RFC 7643 §2.3.8: complex attributes hold sub-attributes, one level only.
  if (type === "complex") {
    if (isSub) problems.push(`${at}: a sub-attribute cannot be complex (RFC 7643 §2.3.8)`);
    else if ((definition.subAttributes ?? []).length === 0)
      problems.push(`${at}: a complex attribute needs subAttributes (RFC 7643 §2.3.8)`);
    else checkLevel(definition.subAttributes ?? [], `${parent}${name}.`, problems);
  } else if (definition.subAttributes !== undefined && definition.subAttributes.length > 0) {
    problems.push(`${at}: subAttributes are for complex attributes only, not ${type} (RFC 7643 §7)`);
  }
  // canonicalValues are strings compared per caseExact: only a string attribute can be held to them.
  if (definition.canonicalValues !== undefined && definition.canonicalValues.length > 0) {
    if (type !== "string") problems.push(`${at}: canonicalValues are for string attributes only, not ${type}`);
    checkCanonicalValues(definition, at, problems);
  }
  // RFC 7643 §7: referenceTypes apply to references, and /Schemas must say what one points at.
  if (type === "reference" && (definition.referenceTypes ?? []).length === 0) {
    problems.push(`${at}: a reference needs referenceTypes, e.g. ["external"] or ["uri"] (RFC 7643 §7)`);
  } else if (type !== "reference" && (definition.referenceTypes ?? []).length > 0) {
    problems.push(`${at}: referenceTypes are for reference attributes only, not ${type} (RFC 7643 §7)`);
  }
  if (definition.referenceTypes?.some((referenceType) => !attributeName.test(referenceType))) {
    problems.push(`${at}: a referenceType is a resource type name, "external" or "uri" (RFC 7643 §7)`);
  }
  checkUniqueness(definition, isSub, at, problems);
  // A readOnly attribute is never set by a client (RFC 7643 §2.2), so none could ever be given.
  if (definition.required && definition.mutability === "readOnly") {
    problems.push(`${at}: a required attribute cannot be readOnly, as no client could ever set it (RFC 7643 §2.2)`);
  }
  // RFC 7643 §7: a writeOnly attribute's value is never returned.
  if (definition.mutability === "writeOnly" && definition.returned !== "never") {
    problems.push(`${at}: a writeOnly attribute must be returned "never" (RFC 7643 §7)`);
  }
}

function checkCanonicalValues(definition: AttributeDefinition, at: string, problems: string[]): void {
  const values = definition.canonicalValues ?? [];
  if (values.length > maxCanonicalValues) problems.push(`${at}: at most ${maxCanonicalValues} canonicalValues`);
  if (values.some((value) => value === "" || value.length > maxTextLength)) {
    problems.push(`${at}: a canonical value is 1 to ${maxTextLength} characters`);
  }
  const fold = (value: string) => (definition.caseExact ? value : value.toLowerCase());
  if (new Set(values.map(fold)).size < values.length) {
    problems.push(`${at}: canonicalValues repeat a value${definition.caseExact ? "" : " (compared ignoring case, as caseExact is false)"}`);
  }
}

function checkUniqueness(definition: AttributeDefinition, isSub: boolean, at: string, problems: string[]): void {
  switch (definition.uniqueness) {
    case "none":
      return;
    // Each tenant is a directory of its own: no value is checked across tenants, so "global" would be a promise not kept.
    case "global":
      problems.push(
        `${at}: uniqueness "global" is not offered, as each tenant's directory is separate; use "server" (unique within the tenant)`,
      );
      return;
    // "server" is kept by an index of one value per resource: a single value, not a list, an object or a part of one.
    case "server":
      if (isSub) problems.push(`${at}: uniqueness "server" is for top-level attributes, not sub-attributes`);
      else if (definition.multiValued) problems.push(`${at}: uniqueness "server" is for single-valued attributes`);
      else if (definition.type === "complex") problems.push(`${at}: uniqueness "server" is not for complex attributes`);
      // Two values exist: at most two resources could ever hold one.
      else if (definition.type === "boolean") problems.push(`${at}: uniqueness "server" is not for boolean attributes`);
      return;
  }
}
