import { ScimError } from "../errors/scim-error.js";
import { createValuePredicate, type FilterPredicate } from "../filter/evaluate-filter.js";
import type { Filter } from "../filter/filter-ast.js";
import { formatFilter } from "../filter/format-filter.js";
import { resolveValueFilter } from "../filter/resolve-filter.js";
import { lookupAttributePath, type ResolvedAttributePath } from "../schema/resolve-attribute-path.js";
import type { ResourceTypeDefinition, SchemaDefinition } from "../schema/schema-definition.js";
import type { PatchPath } from "./patch-operation.js";

/** What a PATCH path points at, resolved against the resource type. */
export type PatchTarget =
  /** A whole extension object, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
  { readonly kind: "extension"; readonly schema: SchemaDefinition; readonly required: boolean; readonly text: string } | AttributeTarget;

export interface AttributeTarget {
  readonly kind: "attribute";
  readonly resolved: ResolvedAttributePath;
  /** The value filter of `attr[filter]`, resolved and compiled. */
  readonly valueFilter?: { readonly filter: Filter; readonly matches: FilterPredicate };
  /** The path in the schema's spelling, for error details. */
  readonly text: string;
}

/** Resolves a parsed PATCH path; a path naming nothing is a 400 invalidPath (RFC 7644 §3.5.2). */
export function resolvePatchTarget(path: PatchPath, resourceType: ResourceTypeDefinition): PatchTarget {
  const lookup = lookupAttributePath(
    {
      ...(path.schema !== undefined ? { schema: path.schema } : {}),
      attribute: path.attribute,
      ...(path.subAttribute !== undefined ? { subAttribute: path.subAttribute } : {}),
    },
    resourceType,
  );
  if (lookup.kind === "unknown") throw ScimError.of("invalidPath", lookup.reason);
  if (lookup.kind === "extension") {
    if (path.valueFilter !== undefined)
      throw ScimError.of("invalidPath", `"${lookup.schema.id}" is an extension and takes no value filter`);
    const required = resourceType.extensions.find((e) => e.schema.id === lookup.schema.id)?.required ?? false;
    return { kind: "extension", schema: lookup.schema, required, text: lookup.schema.id };
  }
  const resolved = lookup.resolved;
  if (path.valueFilter === undefined) return { kind: "attribute", resolved, text: describe(resolved) };
  if (resolved.attribute.subAttributes === undefined) {
    throw ScimError.of("invalidPath", `"${resolved.attribute.name}" has no sub-attributes, so it takes no value filter`);
  }
  const filter = resolveValueFilter(path.valueFilter, resolved.attribute, "invalidPath");
  return {
    kind: "attribute",
    resolved,
    valueFilter: { filter, matches: createValuePredicate(filter, resolved.attribute) },
    text: describe(resolved, filter),
  };
}

/** `[urn:]attribute[[filter]][.sub]` in the schema's spelling. */
function describe(resolved: ResolvedAttributePath, filter?: Filter): string {
  const prefix = resolved.extension === undefined ? "" : `${resolved.extension}:`;
  const brackets = filter === undefined ? "" : `[${formatFilter(filter)}]`;
  const sub = resolved.subAttribute === undefined ? "" : `.${resolved.subAttribute.name}`;
  return `${prefix}${resolved.attribute.name}${brackets}${sub}`;
}
