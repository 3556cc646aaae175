import {
  resolveAttributePath,
  ScimError,
  type AttributeDefinition,
  type AttributePath,
  type Filter,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { memberOfGroupAtAnyDepth, someMemberGroup, type MemberGroupColumns } from "../memberships/member-groups.js";
import { compileValueFilter, documentValue, subAttributeOf, valueFilterInDocument } from "../query/compile-document-filter.js";
import { comparison, compileFilterTree, multiValuedComparison, presence } from "../query/compile-filter-tree.js";
import { jsonAccess } from "../query/json-access.js";
import type { SqlCondition } from "../query/sql-condition.js";
import { groupsSubAttributeRefusal, userColumns, userGroupsColumns } from "./user-columns.js";

/** One sub-attribute of one of the user's groups as SQL, or a 400 when it cannot be answered exactly. */
function groupsColumn(sub: AttributeDefinition, group: MemberGroupColumns): SqlCondition {
  const column = userGroupsColumns[sub.name];
  if (column === undefined) throw ScimError.of("invalidFilter", `filtering users on ${groupsSubAttributeRefusal(sub.name)}`);
  return { sql: group[column], bindings: [] };
}

/**
 * Compiles a resolved SCIM filter over users into one parameterised SQL condition over the `users`
 * table. Column-backed attributes use their (indexed) columns; `groups` is an EXISTS over the
 * user's groups, walked from the user through the (tenant, member) index; every other attribute is
 * read from the search document, which is a scan within the tenant (correct, but unindexed:
 * README says which filters are fast). `resourceType` is the tenant's, so its own extensions'
 * attributes are read from the document like the enterprise extension's.
 */
export function compileUserFilter(filter: Filter, dialect: Dialect, tenantId: string, resourceType: ResourceTypeDefinition): SqlCondition {
  const json = jsonAccess[dialect];
  const source = "search";
  const isGroups = (attribute: AttributeDefinition, extension: string | undefined) =>
    extension === undefined && attribute.name === "groups";
  /** Some group of the user, as its representation lists them, satisfies the condition. */
  const someGroup = (condition: (group: MemberGroupColumns) => SqlCondition) => someMemberGroup(dialect, "users", condition);

  function leaf(
    path: AttributePath,
    build: (expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, name: string) => SqlCondition,
  ): SqlCondition {
    const resolved = resolveAttributePath(path, resourceType);
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
    if (isGroups(resolved.attribute, resolved.extension)) {
      // `groups pr` and `groups eq "id"` read the groups' value (RFC 7643 §2.4: the significant value).
      const sub = resolved.subAttribute ?? subAttributeOf(resolved.attribute, { attribute: "value" });
      return someGroup((group) => build(groupsColumn(sub, group), false, sub, `groups.${sub.name}`));
    }
    return documentValue(json, source, resolved, (expression, definition) => build(expression, true, definition, name));
  }

  return compileFilterTree(filter, {
    compare: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
      const groupValue = isGroups(resolved.attribute, resolved.extension) && (resolved.subAttribute?.name ?? "value") === "value";
      if (groupValue && node.operator === "eq" && typeof node.value === "string") {
        // "Who is in this group": walked down from the group, not up from every user.
        const value = subAttributeOf(resolved.attribute, { attribute: "value" });
        const literal = node.value;
        return memberOfGroupAtAnyDepth("users", tenantId, (column) =>
          comparison({ sql: column, bindings: [] }, false, value, "eq", literal, "groups.value"),
        );
      }
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
      const resolved = resolveAttributePath(node.path, resourceType);
      if (isGroups(resolved.attribute, resolved.extension)) {
        // RFC 7644 §3.4.2.2: every condition in the brackets holds for one and the same group.
        return someGroup((group) => compileValueFilter(node.filter, resolved.attribute, (sub) => groupsColumn(sub, group)));
      }
      return valueFilterInDocument(json, source, resolved, node.filter);
    },
  });
}
