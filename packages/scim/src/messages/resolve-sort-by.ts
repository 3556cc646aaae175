import { ScimError } from "../errors/scim-error.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { formatAttributePath, resolveAttributePath, type ResolvedAttributePath } from "../schema/resolve-attribute-path.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";

/**
 * Resolves a sortBy path (RFC 7644 §3.4.2.3) against the schemas, refusing with 400 invalidValue
 * the paths that name no order: a singular complex attribute without a sub-attribute (§3.4.2.3:
 * "the attribute name must be a path to a sub-attribute", e.g. name.givenName), and an attribute
 * that is never returned (RFC 7643 §7: the password), whose order would tell what is never shown.
 * A multi-valued attribute stays sortable by its primary, else first, value, as §3.4.2.3 says.
 */
export function resolveSortBy(path: AttributePath, resourceType: ResourceTypeDefinition): ResolvedAttributePath {
  const resolved = resolveAttributePath(path, resourceType, "invalidValue");
  const definition = resolved.subAttribute ?? resolved.attribute;
  const name = formatAttributePath(resolved.path);
  if (definition.type === "complex" && !definition.multiValued) {
    const example = definition.subAttributes?.[0]?.name ?? "value";
    throw ScimError.of(
      "invalidValue",
      `sortBy "${name}" names a complex attribute; sort by one of its sub-attributes, such as "${name}.${example}" (RFC 7644 §3.4.2.3)`,
    );
  }
  if (definition.returned === "never") {
    throw ScimError.of("invalidValue", `sortBy "${name}" names an attribute that is never returned (RFC 7643 §7), so it sorts nothing`);
  }
  return resolved;
}
