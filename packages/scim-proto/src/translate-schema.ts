import { create } from "@bufbuild/protobuf";
import {
  ExtendedResourceType,
  SchemaAttributeMutability,
  SchemaAttributeReturned,
  SchemaAttributeSchema,
  SchemaAttributeType,
  SchemaAttributeUniqueness,
  SchemaExtensionSchema,
  type SchemaAttribute,
  type SchemaExtension,
} from "@scimgw/proto";
import type { AttributeDefinition, AttributeType, Mutability, Returned, SchemaDefinition, Uniqueness } from "@scimgw/scim";
import { MalformedMessageError } from "./translate-filter.js";

/** A tenant's extension as the SCIM core uses it: its schema, and whether its resource type requires it. */
export interface ExtensionDefinition {
  readonly resourceType: "User" | "Group";
  readonly schema: SchemaDefinition;
  readonly required: boolean;
}

const attributeTypes: readonly [SchemaAttributeType, AttributeType][] = [
  [SchemaAttributeType.STRING, "string"],
  [SchemaAttributeType.BOOLEAN, "boolean"],
  [SchemaAttributeType.DECIMAL, "decimal"],
  [SchemaAttributeType.INTEGER, "integer"],
  [SchemaAttributeType.DATE_TIME, "dateTime"],
  [SchemaAttributeType.REFERENCE, "reference"],
  [SchemaAttributeType.COMPLEX, "complex"],
  [SchemaAttributeType.BINARY, "binary"],
];

// UNSPECIFIED reads as RFC 7643 §7's default for each characteristic, so a caller may leave them out.
const mutabilities: readonly [SchemaAttributeMutability, Mutability][] = [
  [SchemaAttributeMutability.READ_WRITE, "readWrite"],
  [SchemaAttributeMutability.READ_ONLY, "readOnly"],
  [SchemaAttributeMutability.IMMUTABLE, "immutable"],
  [SchemaAttributeMutability.WRITE_ONLY, "writeOnly"],
];
const returneds: readonly [SchemaAttributeReturned, Returned][] = [
  [SchemaAttributeReturned.DEFAULT, "default"],
  [SchemaAttributeReturned.ALWAYS, "always"],
  [SchemaAttributeReturned.NEVER, "never"],
  [SchemaAttributeReturned.REQUEST, "request"],
];
const uniquenesses: readonly [SchemaAttributeUniqueness, Uniqueness][] = [
  [SchemaAttributeUniqueness.NONE, "none"],
  [SchemaAttributeUniqueness.SERVER, "server"],
];

function toScim<P, S>(table: readonly [P, S][], value: P, fallback: S | undefined, what: string): S {
  const found = table.find(([p]) => p === value)?.[1] ?? fallback;
  if (found === undefined) throw new MalformedMessageError(`${what} is required`);
  return found;
}

function toProto<P, S>(table: readonly [P, S][], value: S, what: string): P {
  const found = table.find(([, s]) => s === value)?.[0];
  if (found === undefined) throw new MalformedMessageError(`${what} "${String(value)}" has no protobuf value`);
  return found;
}

function attributeFromProto(attribute: SchemaAttribute, where: string): AttributeDefinition {
  const at = `${where}${attribute.name}`;
  const definition: AttributeDefinition = {
    name: attribute.name,
    type: toScim(attributeTypes, attribute.type, undefined, `the type of attribute "${at}"`),
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: toScim(mutabilities, attribute.mutability, "readWrite", "mutability"),
    returned: toScim(returneds, attribute.returned, "default", "returned"),
    uniqueness: toScim(uniquenesses, attribute.uniqueness, "none", "uniqueness"),
  };
  return {
    ...definition,
    ...(attribute.canonicalValues.length > 0 ? { canonicalValues: [...attribute.canonicalValues] } : {}),
    ...(attribute.referenceTypes.length > 0 ? { referenceTypes: [...attribute.referenceTypes] } : {}),
    ...(attribute.subAttributes.length > 0
      ? { subAttributes: attribute.subAttributes.map((sub) => attributeFromProto(sub, `${at}.`)) }
      : {}),
  };
}

function attributeToProto(definition: AttributeDefinition): SchemaAttribute {
  return create(SchemaAttributeSchema, {
    name: definition.name,
    type: toProto(attributeTypes, definition.type, "type"),
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    caseExact: definition.caseExact,
    mutability: toProto(mutabilities, definition.mutability, "mutability"),
    returned: toProto(returneds, definition.returned, "returned"),
    uniqueness: toProto(uniquenesses, definition.uniqueness, "uniqueness"),
    canonicalValues: [...(definition.canonicalValues ?? [])],
    referenceTypes: [...(definition.referenceTypes ?? [])],
    subAttributes: (definition.subAttributes ?? []).map(attributeToProto),
  });
}

/**
 * A SchemaExtension message as the SCIM core's definitions. Only the message's own shape is
 * checked here (a type and resource type are given); whether the schema is a valid extension is
 * the SCIM core's rule (checkExtensionSchema), applied by whoever stores it.
 */
export function extensionFromProto(extension: SchemaExtension): ExtensionDefinition {
  const resourceType =
    extension.resourceType === ExtendedResourceType.USER
      ? "User"
      : extension.resourceType === ExtendedResourceType.GROUP
        ? "Group"
        : undefined;
  if (resourceType === undefined) throw new MalformedMessageError("the extension's resource_type is required: USER or GROUP");
  return {
    resourceType,
    required: extension.required,
    schema: {
      id: extension.id,
      name: extension.name,
      description: extension.description,
      attributes: extension.attributes.map((attribute) => attributeFromProto(attribute, "")),
    },
  };
}

/** The SCIM core's extension as a SchemaExtension message (created and last_modified left to the caller). */
export function extensionToProto(extension: ExtensionDefinition): SchemaExtension {
  return create(SchemaExtensionSchema, {
    id: extension.schema.id,
    name: extension.schema.name,
    description: extension.schema.description,
    resourceType: extension.resourceType === "User" ? ExtendedResourceType.USER : ExtendedResourceType.GROUP,
    required: extension.required,
    attributes: extension.schema.attributes.map(attributeToProto),
  });
}
