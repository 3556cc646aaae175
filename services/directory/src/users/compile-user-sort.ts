import {
  formatAttributePath,
  resolveAttributePath,
  resolveSortBy,
  ScimError,
  userResourceType,
  type AttributePath,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { firstMemberGroup } from "../memberships/member-groups.js";
import { invalidArgument } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { documentSortKey } from "../query/document-sort.js";
import { keysetOf, type KeysetColumn, type SortColumn } from "../query/keyset.js";
import type { SortDirection } from "../query/sort-direction.js";
import type { SqlCondition } from "../query/sql-condition.js";
import { groupsSubAttributeRefusal, userColumns, userGroupsColumns } from "./user-columns.js";

/**
 * ORDER BY terms for SCIM's sortBy/sortOrder (RFC 7644 §3.4.2.3). Strings sort by their folded
 * form when caseExact is false (the search document holds it), so "alice" and "Bob" sort as a
 * person expects; a multi-valued attribute sorts by its primary value, else its first. Unassigned
 * values sort last in ascending order and first in descending, and the creation order with the id
 * breaks ties, so paging through a sorted list is stable. `resourceType` is the tenant's, so its
 * own extensions' attributes sort from the search document like the enterprise extension's.
 */
export function compileUserSort(
  path: AttributePath,
  order: SortDirection,
  dialect: Dialect,
  resourceType: ResourceTypeDefinition,
): SqlCondition[] {
  // The SCIM core refuses what names no order (a singular complex attribute, the password).
  const resolved = resolveSortBy(path, resourceType);
  const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  const direction = order === "descending" ? "DESC NULLS FIRST" : "ASC NULLS LAST";
  const column = resolved.extension === undefined ? userColumns[name] : undefined;
  const core = resolved.extension === undefined;
  let expression: SqlCondition;
  if (column !== undefined) {
    expression = { sql: `"${column.column}"`, bindings: [] };
  } else if (core && resolved.attribute.name === "meta") {
    // As for filters: resourceType, location and version are made when a user is rendered and are
    // in no column or document, so a sort by them would silently be the creation order.
    throw ScimError.of(
      "invalidValue",
      `users cannot be sorted by "${name}": it is derived when a user is rendered; of meta, sort by meta.created or meta.lastModified`,
    );
  } else if (core && resolved.attribute.name === "groups") {
    // RFC 7644 §3.4.2.3: by the first group (groups have no primary), in the representation's order.
    const sub = resolved.subAttribute?.name ?? "value";
    const groupColumn = userGroupsColumns[sub];
    if (groupColumn === undefined) throw ScimError.of("invalidValue", `sorting users by ${groupsSubAttributeRefusal(sub)}`);
    expression = { sql: firstMemberGroup(dialect, "users", groupColumn), bindings: [] };
  } else {
    expression = documentSortKey(dialect, "search", resolved);
  }
  return [
    { sql: `${expression.sql} ${direction}`, bindings: expression.bindings },
    { sql: '"created_at" ASC', bindings: [] },
    { sql: '"id" ASC', bindings: [] },
  ];
}

/**
 * The attributes cursor paging can sort users by: text columns, whose values a page token can
 * carry and SQL can compare with the ORDER BY's own collation. Document attributes are left out:
 * their sort expressions (folded JSON, a multi-valued attribute's primary value) cannot be
 * compared identically on both stores, nor served by an index.
 */
const cursorSortColumns: Record<string, SortColumn> = Object.fromEntries(
  ["userName", "externalId", "id", "meta.created", "meta.lastModified"].map((name) => {
    const { column, nullable } = requireValue(userColumns[name], `"${name}" is one of userColumns`);
    return [name, { column, sql: `"${column}"`, nullable }];
  }),
);
const createdAtColumn = requireValue(cursorSortColumns["meta.created"], "meta.created is a cursor sort column");
const idColumn = requireValue(cursorSortColumns["id"], "id is a cursor sort column");

/** The column a sort reads when it is one cursor paging can seek on; undefined for document attributes. */
function cursorSortColumn(
  by: AttributePath,
  resourceType: ResourceTypeDefinition,
): { column: SortColumn | undefined; path: AttributePath } {
  const resolved = resolveAttributePath(by, resourceType, "invalidValue");
  const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  return { column: resolved.extension === undefined ? cursorSortColumns[name] : undefined, path: resolved.path };
}

/**
 * The keyset cursor paging lists users in: the offset listing's order (compileUserSort) on columns
 * only. `resourceType` (the tenant's) only names what a sort by a document attribute is refused for.
 */
export function userKeyset(
  sort: { by: AttributePath; order: SortDirection } | undefined,
  resourceType: ResourceTypeDefinition = userResourceType,
): KeysetColumn[] {
  if (sort === undefined) return keysetOf(undefined, "ascending", createdAtColumn, idColumn);
  const { column, path } = cursorSortColumn(sort.by, resourceType);
  if (column === undefined) {
    throw invalidArgument(
      `cursor paging cannot sort users by "${formatAttributePath(path)}"; sort by ${Object.keys(cursorSortColumns).join(", ")}, or page with start_index`,
    );
  }
  return keysetOf(column, sort.order, createdAtColumn, idColumn);
}

/**
 * The keyset an offset listing can continue a startIndex walk on (pageByOffset): userKeyset's,
 * or undefined when the sort is by a document attribute, which such a walk pages by OFFSET.
 */
export function offsetKeyset(
  sort: { by: AttributePath; order: SortDirection } | undefined,
  resourceType: ResourceTypeDefinition,
): KeysetColumn[] | undefined {
  if (sort === undefined) return userKeyset(undefined);
  const { column } = cursorSortColumn(sort.by, resourceType);
  return column === undefined ? undefined : keysetOf(column, sort.order, createdAtColumn, idColumn);
}
