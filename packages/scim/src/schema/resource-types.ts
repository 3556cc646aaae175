import { enterpriseUserSchema, userSchema } from "./user-schema.js";
import { groupSchema } from "./group-schema.js";
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from "./schema-definition.js";

/** The User resource type (RFC 7643 §6), with the enterprise extension optional. */
export const userResourceType: ResourceTypeDefinition = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
};

/** The Group resource type (RFC 7643 §6). */
export const groupResourceType: ResourceTypeDefinition = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: groupSchema,
  extensions: [],
};

/**
 * A resource type with a tenant's own extension schemas added after its built-in ones (RFC 7643
 * §6 `schemaExtensions`). Every SCIM rule (normalize, patch, filter, sort, project, discovery)
 * takes its resource type as data, so passing the extended one is all it takes for a tenant's
 * extension attributes to be held to the same rules as core ones. The one difference is data on the
 * attributes: a tenant's canonicalValues are the values it accepts (canonicalValuesEnforced), where
 * the RFC's own are suggestions. URNs are compared case-insensitively; one that repeats a built-in
 * schema's is a programmer error.
 */
export function extendResourceType(
  base: ResourceTypeDefinition,
  extensions: readonly { readonly schema: SchemaDefinition; readonly required: boolean }[],
): ResourceTypeDefinition {
  if (extensions.length === 0) return base;
  const taken = new Set([base.schema.id, ...base.extensions.map((e) => e.schema.id)].map((id) => id.toLowerCase()));
  for (const { schema } of extensions) {
    if (taken.has(schema.id.toLowerCase())) throw new RangeError(`the extension "${schema.id}" repeats a schema of ${base.name}`);
    taken.add(schema.id.toLowerCase());
  }
  return {
    ...base,
    extensions: [
      ...base.extensions,
      ...extensions.map(({ schema, required }) => ({
        schema: { ...schema, attributes: schema.attributes.map(enforcingCanonicalValues) },
        required,
      })),
    ],
  };
}

function enforcingCanonicalValues(definition: AttributeDefinition): AttributeDefinition {
  return {
    ...definition,
    canonicalValuesEnforced: true,
    ...(definition.subAttributes === undefined ? {} : { subAttributes: definition.subAttributes.map(enforcingCanonicalValues) }),
  };
}
