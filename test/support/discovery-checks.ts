// RFC 7643's rules for the discovery documents (§6 ResourceType, §7 Schema), checked on what the
// real product serves: shared by the suites that replay an identity provider's discovery.
import type { ScimJson } from "./scim-client.js";

const resourceTypeUrn = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const schemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Schema";

// RFC 7643 §2.3, §7: what a Schema resource's attribute definitions may say.
const attributeTypes = ["string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"];
const mutabilities = ["readOnly", "readWrite", "immutable", "writeOnly"];
const returnedValues = ["always", "never", "default", "request"];
const uniquenesses = ["none", "server", "global"];

/** Problems of an attribute definition against RFC 7643 §7 (none when valid). */
function attributeProblems(attribute: ScimJson, where: string, depth = 0): string[] {
  const problems: string[] = [];
  if (typeof attribute.name !== "string" || attribute.name === "") problems.push(`${where}: name is required`);
  if (!attributeTypes.includes(attribute.type)) problems.push(`${where}: type ${attribute.type} is not one of RFC 7643 §2.3's`);
  if (typeof attribute.multiValued !== "boolean") problems.push(`${where}: multiValued is required`);
  if (attribute.required !== undefined && typeof attribute.required !== "boolean") problems.push(`${where}: required is a boolean`);
  if (attribute.mutability !== undefined && !mutabilities.includes(attribute.mutability)) problems.push(`${where}: mutability`);
  if (attribute.returned !== undefined && !returnedValues.includes(attribute.returned)) problems.push(`${where}: returned`);
  if (attribute.uniqueness !== undefined && !uniquenesses.includes(attribute.uniqueness)) problems.push(`${where}: uniqueness`);
  if (attribute.type === "complex") {
    if (!Array.isArray(attribute.subAttributes)) problems.push(`${where}: a complex attribute has subAttributes`);
    // §2.3.8: a complex attribute's sub-attributes are not complex.
    else if (depth > 0) problems.push(`${where}: complex inside complex`);
    else
      for (const [i, sub] of (attribute.subAttributes as ScimJson[]).entries())
        problems.push(...attributeProblems(sub, `${where}.subAttributes[${i}]`, 1));
  } else if (attribute.subAttributes !== undefined) problems.push(`${where}: subAttributes only on complex attributes`);
  return problems;
}

/** Problems of a Schema resource against RFC 7643 §7. */
export function schemaProblems(schema: ScimJson): string[] {
  const problems: string[] = [];
  if (!schema.schemas?.includes(schemaUrn)) problems.push(`${schema.id}: schemas lacks ${schemaUrn}`);
  if (typeof schema.id !== "string" || !schema.id.includes(":")) problems.push(`${schema.id}: id must be the schema's URI`);
  if (!Array.isArray(schema.attributes)) problems.push(`${schema.id}: attributes is required`);
  else
    for (const [i, a] of (schema.attributes as ScimJson[]).entries())
      problems.push(...attributeProblems(a, `${schema.id}.attributes[${i}]`));
  // The schema for schemas describes subAttributes, itself complex, inside the complex attributes
  // (RFC 7643 §8.7.2 does so too): the one exception to §2.3.8's rule.
  if (schema.id === schemaUrn) return problems.filter((problem) => !problem.endsWith("complex inside complex"));
  return problems;
}

/** Problems of a ResourceType resource against RFC 7643 §6, given the served schemas' ids. */
export function resourceTypeProblems(resourceType: ScimJson, schemaIds: string[]): string[] {
  const problems: string[] = [];
  const where = resourceType.id ?? resourceType.name;
  if (!resourceType.schemas?.includes(resourceTypeUrn)) problems.push(`${where}: schemas lacks ${resourceTypeUrn}`);
  for (const field of ["name", "endpoint", "schema"])
    if (typeof resourceType[field] !== "string" || resourceType[field] === "") problems.push(`${where}: ${field} is required`);
  // §6 "schema": "MUST be equal to the 'id' attribute of the associated 'Schema' resource".
  if (!schemaIds.includes(resourceType.schema)) problems.push(`${where}: schema ${resourceType.schema} is not served at /Schemas`);
  for (const extension of resourceType.schemaExtensions ?? []) {
    if (!schemaIds.includes(extension.schema)) problems.push(`${where}: extension ${extension.schema} is not served`);
    if (typeof extension.required !== "boolean") problems.push(`${where}: schemaExtensions.required is required`);
  }
  return problems;
}
