import { ScimError, type ScimType } from "../errors/scim-error.js";
import type { AttributePath } from "./attribute-path.js";
import { commonAttributes } from "./common-attributes.js";
import {
  attribute,
  findAttribute,
  type AttributeDefinition,
  type ResourceTypeDefinition,
  type SchemaDefinition,
} from "./schema-definition.js";

/** An attribute path matched against a resource type's schemas. */
export interface ResolvedAttributePath {
  /** The path in the schema's spelling; `schema` is set only for extension attributes. */
  readonly path: AttributePath;
  /** The URN of the extension whose object holds the attribute; undefined for core and common attributes. */
  readonly extension?: string;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
}

export type AttributeLookup =
  | { readonly kind: "attribute"; readonly resolved: ResolvedAttributePath }
  /** The path names a whole extension (`urn:...:enterprise:2.0:User`), as PATCH and `attributes` allow. */
  | { readonly kind: "extension"; readonly schema: SchemaDefinition }
  | { readonly kind: "unknown"; readonly reason: string };

/**
 * `schemas` is no schema attribute, but RFC 7644 §3.4.2.2 lets clients filter on it and RFC 7643 §3
 * makes it part of every representation; it is described here so filters and projection treat it
 * like any other attribute.
 */
export const schemasAttribute: AttributeDefinition = attribute("schemas", "reference", {
  description: "The schema URNs this representation uses.",
  multiValued: true,
  required: true,
  mutability: "readOnly",
  returned: "always",
  referenceTypes: ["uri"],
});

/** The attributes addressed without an extension URN: common ones (RFC 7643 §3.1), `schemas`, then the core schema's. */
export function coreLevelAttributes(resourceType: ResourceTypeDefinition): readonly AttributeDefinition[] {
  return [...commonAttributes, schemasAttribute, ...resourceType.schema.attributes];
}

/** The extension schema with this URN, compared case-insensitively (URNs are, RFC 8141 §3.1). */
export function findExtensionSchema(resourceType: ResourceTypeDefinition, urn: string): SchemaDefinition | undefined {
  const wanted = urn.toLowerCase();
  return resourceType.extensions.find((e) => e.schema.id.toLowerCase() === wanted)?.schema;
}

/** Whether `urn` is the resource type's core schema URN, compared case-insensitively. */
export function isCoreSchema(resourceType: ResourceTypeDefinition, urn: string): boolean {
  return resourceType.schema.id.toLowerCase() === urn.toLowerCase();
}

/** Matches a path against the schemas without throwing; `unknown` carries the reason. */
export function lookupAttributePath(path: AttributePath, resourceType: ResourceTypeDefinition): AttributeLookup {
  const owner = findOwner(path, resourceType);
  if (owner.kind !== "found") return owner.kind === "extension" ? owner : { kind: "unknown", reason: owner.reason };
  return withSubAttribute(path, owner.attribute, owner.extension);
}

/**
 * Resolves a path to its definitions and canonical spelling (RFC 7643 §2.1: names are
 * case-insensitive), throwing `scimType` (invalidFilter for filters, invalidPath for PATCH) when it
 * names nothing.
 */
export function resolveAttributePath(
  path: AttributePath,
  resourceType: ResourceTypeDefinition,
  scimType: ScimType = "invalidFilter",
): ResolvedAttributePath {
  const lookup = lookupAttributePath(path, resourceType);
  if (lookup.kind === "attribute") return lookup.resolved;
  const reason = lookup.kind === "extension" ? `"${lookup.schema.id}" names a schema extension, not an attribute` : lookup.reason;
  throw ScimError.of(scimType, reason);
}

/** Formats a path as SCIM writes it: `[urn:]attribute[.subAttribute]` (RFC 7644 §3.10). */
export function formatAttributePath(path: AttributePath): string {
  const prefix = path.schema === undefined ? "" : `${path.schema}:`;
  const suffix = path.subAttribute === undefined ? "" : `.${path.subAttribute}`;
  return `${prefix}${path.attribute}${suffix}`;
}

type Owner =
  | { kind: "found"; attribute: AttributeDefinition; extension?: string }
  | { kind: "extension"; schema: SchemaDefinition }
  | { kind: "unknown"; reason: string };

function findOwner(path: AttributePath, resourceType: ResourceTypeDefinition): Owner {
  if (path.schema === undefined) return findUnqualified(path.attribute, resourceType);
  if (isCoreSchema(resourceType, path.schema)) {
    const found = findAttribute(coreLevelAttributes(resourceType), path.attribute);
    return found ? { kind: "found", attribute: found } : unknownAttribute(path);
  }
  const extension = findExtensionSchema(resourceType, path.schema);
  if (extension !== undefined) {
    const found = findAttribute(extension.attributes, path.attribute);
    return found ? { kind: "found", attribute: found, extension: extension.id } : unknownAttribute(path);
  }
  // The parser splits at the last ':', so a bare extension URN arrives as schema "...:2.0" + attribute "User".
  const whole = findExtensionSchema(resourceType, `${path.schema}:${path.attribute}`);
  if (whole !== undefined && path.subAttribute === undefined) return { kind: "extension", schema: whole };
  return { kind: "unknown", reason: `unknown schema "${path.schema}" in "${formatAttributePath(path)}"` };
}

/**
 * RFC 7644 §3.10 lets clients omit the URN of core attributes. Entra also omits it for enterprise
 * attributes (`"path": "manager"`, MS-USE), so an unqualified name that is no core attribute is
 * looked up in the extensions, provided exactly one of them defines it.
 */
function findUnqualified(name: string, resourceType: ResourceTypeDefinition): Owner {
  const core = findAttribute(coreLevelAttributes(resourceType), name);
  if (core !== undefined) return { kind: "found", attribute: core };
  const matches = resourceType.extensions
    .map((e) => ({ schema: e.schema, attribute: findAttribute(e.schema.attributes, name) }))
    .filter((m): m is { schema: SchemaDefinition; attribute: AttributeDefinition } => m.attribute !== undefined);
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return { kind: "found", attribute: only.attribute, extension: only.schema.id };
  if (matches.length > 1) {
    return { kind: "unknown", reason: `attribute "${name}" is defined by several extensions; qualify it with its schema URN` };
  }
  return { kind: "unknown", reason: `unknown attribute "${name}"` };
}

function withSubAttribute(path: AttributePath, definition: AttributeDefinition, extension: string | undefined): AttributeLookup {
  const canonical: AttributePath =
    extension === undefined ? { attribute: definition.name } : { schema: extension, attribute: definition.name };
  if (path.subAttribute === undefined) {
    return { kind: "attribute", resolved: { path: canonical, attribute: definition, ...(extension ? { extension } : {}) } };
  }
  if (definition.subAttributes === undefined) {
    return { kind: "unknown", reason: `"${definition.name}" has no sub-attributes, so "${formatAttributePath(path)}" names nothing` };
  }
  const sub = findAttribute(definition.subAttributes, path.subAttribute);
  if (sub === undefined) {
    return { kind: "unknown", reason: `"${definition.name}" has no sub-attribute "${path.subAttribute}"` };
  }
  return {
    kind: "attribute",
    resolved: {
      path: { ...canonical, subAttribute: sub.name },
      attribute: definition,
      subAttribute: sub,
      ...(extension ? { extension } : {}),
    },
  };
}

function unknownAttribute(path: AttributePath): Owner {
  return { kind: "unknown", reason: `unknown attribute "${formatAttributePath(path)}"` };
}
