import {
  ScimError,
  type AttributeDefinition,
  type AttributePath,
  type ComparisonOperator,
  type Filter,
  type FilterValue,
  type ResolvedAttributePath,
} from "@scimgw/scim";
import { comparison, compileFilterTree, multiValuedComparison, presence, refuseNestedValuePath } from "./compile-filter-tree.js";
import type { JsonAccess } from "./json-access.js";
import { documentPath } from "../search/search-document.js";
import type { SqlCondition } from "./sql-condition.js";

// The leaves of a filter on attributes read from a search document (search-document.ts), shared by
// users and groups so that both answer an extension attribute the same way, exactly as the SCIM
// core's evaluator does. Each resource's compiler keeps its own columns and membership logic and
// hands the rest here.

/** The sub-attribute a value filter's path names: resolveFilter has already checked it exists. */
export function subAttributeOf(parent: AttributeDefinition, path: AttributePath): AttributeDefinition {
  const found = parent.subAttributes?.find((candidate) => candidate.name === path.attribute);
  if (found === undefined) throw ScimError.of("invalidFilter", `"${path.attribute}" is not a sub-attribute of "${parent.name}"`);
  return found;
}

/** A sub-attribute's SQL over one value of the parent a value filter `parent[...]` tests. */
export type ElementValue = (sub: AttributeDefinition) => SqlCondition;

/** Compiles a value filter's inner condition against one value of `parent`. */
export function compileValueFilter(inner: Filter, parent: AttributeDefinition, sqlOf: ElementValue): SqlCondition {
  return compileFilterTree(inner, {
    compare: (node) => {
      const definition = subAttributeOf(parent, node.path);
      return comparison(sqlOf(definition), true, definition, node.operator, node.value, `${parent.name}.${definition.name}`);
    },
    present: (node) => {
      const definition = subAttributeOf(parent, node.path);
      return presence(sqlOf(definition), definition);
    },
    valuePath: refuseNestedValuePath,
  });
}

/** The name error details give a resolved path: the attribute, or attribute.subAttribute. */
export function attributeName(resolved: ResolvedAttributePath): string {
  return resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
}

/**
 * Builds a condition on an attribute of the document in `source`: on its one value, or, for a
 * multi-valued attribute, as an EXISTS over its values (RFC 7644 §3.4.2.2: some value satisfies
 * it; without a sub-attribute, a complex attribute's `value` is compared). A document value may
 * be absent, so every expression given to `build` is nullable.
 */
export function documentValue(
  json: JsonAccess,
  source: string,
  resolved: ResolvedAttributePath,
  build: (expression: SqlCondition, definition: AttributeDefinition, name: string) => SqlCondition,
): SqlCondition {
  const name = attributeName(resolved);
  if (resolved.attribute.multiValued) {
    const sub = resolved.subAttribute ?? resolved.attribute.subAttributes?.find((candidate) => candidate.name === "value");
    const definition = sub ?? resolved.attribute;
    return json.existsElement(source, documentPath(resolved.path), (element) =>
      build(json.scalar(element, sub === undefined ? [] : [sub.name], definition.type), definition, name),
    );
  }
  const definition = resolved.subAttribute ?? resolved.attribute;
  const key = [...documentPath(resolved.path), ...(resolved.subAttribute ? [resolved.subAttribute.name] : [])];
  return build(json.scalar(source, key, definition.type), definition, name);
}

/** `attribute op value` on a document attribute, multi-valued ones read as multiValuedComparison reads them. */
export function compareInDocument(
  json: JsonAccess,
  source: string,
  resolved: ResolvedAttributePath,
  operator: ComparisonOperator,
  value: FilterValue,
): SqlCondition {
  if (resolved.attribute.multiValued) {
    return multiValuedComparison(
      (build) => documentValue(json, source, resolved, (expression, definition) => build(expression, definition)),
      operator,
      value,
      attributeName(resolved),
    );
  }
  return documentValue(json, source, resolved, (expression, definition, name) =>
    comparison(expression, true, definition, operator, value, name),
  );
}

/** `attribute pr` on a document attribute. */
export function presentInDocument(json: JsonAccess, source: string, resolved: ResolvedAttributePath): SqlCondition {
  return documentValue(json, source, resolved, (expression, definition) => presence(expression, definition));
}

/**
 * `attribute[inner]` on a document attribute. On a single-valued complex attribute (the enterprise
 * manager) it tests that one object; only a multi-valued attribute has elements to search.
 */
export function valueFilterInDocument(json: JsonAccess, source: string, resolved: ResolvedAttributePath, inner: Filter): SqlCondition {
  const over = resolved.attribute.multiValued ? json.existsElement : json.existsObject;
  return over(source, documentPath(resolved.path), (elementSource) =>
    compileValueFilter(inner, resolved.attribute, (sub) => json.scalar(elementSource, [sub.name], sub.type)),
  );
}
