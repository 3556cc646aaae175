import { resolveAttributePath, ScimError, userResourceType, type AttributeDefinition, type AttributePath, type Filter } from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { comparison, compileFilterTree, multiValuedComparison, presence, refuseNestedValuePath } from "../query/compile-filter-tree.js";
import { jsonAccess } from "../query/json-access.js";
import type { SqlCondition } from "../query/sql-condition.js";
import { documentPath } from "./search-document.js";
import { userColumns } from "./user-columns.js";

/**
 * Compiles a resolved SCIM filter over users into one parameterised SQL condition. Column-backed
 * attributes use their (indexed) columns; every other attribute is read from the search document,
 * which is a scan within the tenant (correct, but unindexed: README says which filters are fast).
 */
export function compileUserFilter(filter: Filter, dialect: Dialect): SqlCondition {
  const json = jsonAccess[dialect];
  const source = "search";

  function leaf(
    path: AttributePath,
    build: (expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, name: string) => SqlCondition,
  ): SqlCondition {
    const resolved = resolveAttributePath(path, userResourceType);
    const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
    const column = resolved.extension === undefined ? userColumns[name] : undefined;
    if (column !== undefined) {
      const definition = resolved.subAttribute ?? resolved.attribute;
      return build({ sql: `"${column.column}"`, bindings: [] }, column.nullable, definition, name);
    }
    if (resolved.extension === undefined && resolved.attribute.name === "meta") {
      // meta.resourceType, meta.location and meta.version are derived when a user is rendered
      // (location from the gateway's base URL) and are not in the search document: a filter on
      // them would match nothing while the representation shows a value, so it is refused.
      throw ScimError.of("invalidFilter", `filtering users on "${name}" is not supported; of meta, meta.created and meta.lastModified are`);
    }
    if (resolved.attribute.multiValued) {
      // Some value satisfies the comparison (RFC 7644 §3.4.2.2); on a complex attribute without a
      // sub-attribute, the comparison is of its `value`.
      const sub = resolved.subAttribute ?? resolved.attribute.subAttributes?.find((candidate) => candidate.name === "value");
      const definition = sub ?? resolved.attribute;
      return json.existsElement(source, documentPath(resolved.path), (element) =>
        build(json.scalar(element, sub === undefined ? [] : [sub.name], definition.type), true, definition, name),
      );
    }
    const definition = resolved.subAttribute ?? resolved.attribute;
    const documentKey = [...documentPath(resolved.path), ...(resolved.subAttribute ? [resolved.subAttribute.name] : [])];
    return build(json.scalar(source, documentKey, definition.type), true, definition, name);
  }

  /** Compiles a value filter's inner condition against one element of the array. */
  function element(inner: Filter, parent: AttributeDefinition, elementSource: string): SqlCondition {
    const sub = (path: AttributePath) => {
      const found = parent.subAttributes?.find((candidate) => candidate.name === path.attribute);
      if (found === undefined) throw ScimError.of("invalidFilter", `"${path.attribute}" is not a sub-attribute of "${parent.name}"`);
      return { definition: found, expression: json.scalar(elementSource, [found.name], found.type), name: `${parent.name}.${found.name}` };
    };
    return compileFilterTree(inner, {
      compare: (node) => {
        const { definition, expression, name } = sub(node.path);
        return comparison(expression, true, definition, node.operator, node.value, name);
      },
      present: (node) => {
        const { definition, expression } = sub(node.path);
        return presence(expression, definition);
      },
      valuePath: refuseNestedValuePath,
    });
  }

  return compileFilterTree(filter, {
    compare: (node) => {
      const resolved = resolveAttributePath(node.path, userResourceType);
      if (resolved.attribute.multiValued) {
        const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
        return multiValuedComparison(
          (build) => leaf(node.path, (expression, _nullable, definition) => build(expression, definition)),
          node.operator,
          node.value,
          name,
        );
      }
      return leaf(node.path, (expression, nullable, definition, name) =>
        comparison(expression, nullable, definition, node.operator, node.value, name),
      );
    },
    present: (node) => leaf(node.path, (expression, _nullable, definition) => presence(expression, definition)),
    valuePath: (node) => {
      const resolved = resolveAttributePath(node.path, userResourceType);
      // A value filter on a single-valued complex attribute (the enterprise manager) tests that one
      // object; only a multi-valued attribute has elements to search.
      const over = resolved.attribute.multiValued ? json.existsElement : json.existsObject;
      return over(source, documentPath(resolved.path), (elementSource) => element(node.filter, resolved.attribute, elementSource));
    },
  });
}
