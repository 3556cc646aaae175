import {
  formatAttributePath,
  groupResourceType,
  resolveAttributePath,
  resolveSortBy,
  schemasAttribute,
  ScimError,
  type AttributeDefinition,
  type AttributePath,
  type Filter,
  type ResolvedAttributePath,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { invalidArgument } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { compareInDocument, presentInDocument, valueFilterInDocument } from "../query/compile-document-filter.js";
import { comparison, compileFilterTree, multiValuedComparison, presence, refuseNestedValuePath } from "../query/compile-filter-tree.js";
import { documentSortKey } from "../query/document-sort.js";
import { jsonAccess } from "../query/json-access.js";
import { keysetOf, type KeysetColumn, type SortColumn } from "../query/keyset.js";
import type { SortDirection } from "../query/sort-direction.js";
import type { SqlCondition } from "../query/sql-condition.js";

interface GroupColumn {
  column: string;
  nullable: boolean;
}

/** The keyset's tie-breakers, named so groupKeyset needs no lookup. */
const idColumn: GroupColumn = { column: "groups.id", nullable: false };
const createdAtColumn: GroupColumn = { column: "groups.created_at", nullable: false };

const groupColumns: Record<string, GroupColumn> = {
  id: idColumn,
  displayName: { column: "groups.display_name_key", nullable: false },
  externalId: { column: "groups.external_id", nullable: true },
  // Every group has meta (RFC 7643 §3.1), so `meta pr` is the presence of meta.created; comparing
  // or sorting the complex meta itself is refused by the SCIM core.
  meta: createdAtColumn,
  "meta.created": createdAtColumn,
  "meta.lastModified": { column: "groups.last_modified", nullable: false },
};

/** The core attributes a group is filtered and sorted by, as error details name them. */
const sortable = Object.keys(groupColumns).filter((name) => name !== "meta");

/** Why meta.resourceType, meta.location and meta.version have no column: the gateway makes them. */
function derivedWhy(name: string): string {
  return name.startsWith("meta.") ? ": it is derived when a group is rendered (the location from the gateway's base URL)" : "";
}

/** The sub-attributes of members (RFC 7643 §4.2), and `value`, which `members eq "id"` compares. */
const memberSubAttributes = requireValue(
  groupResourceType.schema.attributes.find((a) => a.name === "members")?.subAttributes,
  "the Group schema's members attribute has sub-attributes",
);
const memberValue = requireValue(
  memberSubAttributes.find((candidate) => candidate.name === "value"),
  "the Group schema's members attribute has a value sub-attribute",
);

/**
 * members.value and members.type live in the membership rows. member_type holds "User" or "Group"
 * as RFC 7643 §4.2 spells them, while members.type is caseExact false, so it is compared folded:
 * lower() folds those ASCII words exactly as the SCIM core does, and PostgreSQL must then compare
 * by code point like SQLite (the column has the database's collation, not byteOrderedText's).
 */
const memberColumns: Record<Dialect, Record<string, string>> = {
  sqlite: { value: "m.member_id", type: "lower(m.member_type)" },
  postgres: { value: "m.member_id", type: 'lower(m.member_type) COLLATE "C"' },
};

function quoted(column: string): string {
  return column
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
}

function existsMember(inner: SqlCondition): SqlCondition {
  return {
    sql: `EXISTS (SELECT 1 FROM "group_members" AS m WHERE m.tenant_id = "groups"."tenant_id" AND m.group_id = "groups"."id" AND ${inner.sql})`,
    bindings: inner.bindings,
  };
}

/**
 * The group's search document (search-document.ts), qualified: a group filter also runs inside
 * EXISTS subqueries over other tables. Extension attributes and `schemas` are read from it; the
 * core ones have their columns and membership rows.
 */
const searchColumn = '"groups"."search"';

/**
 * Whether a path is answered from the search document: an extension attribute, or `schemas`, which
 * the document holds as the group's representation lists it (folded as RFC 7643 §3 compares URNs),
 * as a user's does, so `schemas eq "urn:…:Group"` finds the groups carrying a tenant's extension.
 */
function inDocument(resolved: ResolvedAttributePath): boolean {
  return resolved.extension !== undefined || resolved.attribute.name === schemasAttribute.name;
}

/** Why a sub-attribute of members without a column cannot be filtered on. */
const memberRefusals: Record<string, string> = {
  display: "it is read from each member's own resource when a group is rendered, not kept with the membership",
  $ref: "it is the member's URL, which the gateway makes from its base URL when it renders a group",
};

function memberLeaf(
  dialect: Dialect,
  sub: AttributeDefinition,
  build: (expression: SqlCondition, definition: AttributeDefinition) => SqlCondition,
): SqlCondition {
  const column = memberColumns[dialect][sub.name];
  if (column === undefined) {
    const why = memberRefusals[sub.name] ?? "it is not kept with the membership";
    throw ScimError.of(
      "invalidFilter",
      `filtering groups on members.${sub.name} is not supported: ${why}; use members.value or members.type`,
    );
  }
  return build({ sql: column, bindings: [] }, sub);
}

/**
 * Compiles a SCIM filter over groups into one parameterised SQL condition: displayName (folded,
 * unique-indexed), externalId, id and meta from columns; `schemas` and extension attributes from the
 * search document; `members[value eq "id"]` and friends as an
 * EXISTS over the membership rows' (tenant, member) index, so finding a user's groups never reads a
 * whole group.
 */
export function compileGroupFilter(filter: Filter, dialect: Dialect, resourceType: ResourceTypeDefinition): SqlCondition {
  function leaf(
    path: AttributePath,
    build: (expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, name: string) => SqlCondition,
  ): SqlCondition {
    const resolved = resolveAttributePath(path, resourceType);
    if (resolved.attribute.name === "members") {
      const sub = resolved.subAttribute ?? memberValue;
      return existsMember(
        memberLeaf(dialect, sub, (expression, definition) => build(expression, false, definition, `members.${sub.name}`)),
      );
    }
    const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
    const column = groupColumns[name];
    if (column === undefined)
      throw ScimError.of(
        "invalidFilter",
        `filtering groups on "${name}" is not supported${derivedWhy(name)}; filterable: ${[...sortable, "schemas", "members.value", "members.type"].join(", ")}`,
      );
    return build({ sql: quoted(column.column), bindings: [] }, column.nullable, resolved.subAttribute ?? resolved.attribute, name);
  }

  const memberSub = (path: AttributePath) => {
    const sub = memberSubAttributes.find((candidate) => candidate.name.toLowerCase() === path.attribute.toLowerCase());
    if (sub === undefined) throw ScimError.of("invalidFilter", `"${path.attribute}" is not a sub-attribute of members`);
    return sub;
  };
  const member = (inner: Filter): SqlCondition =>
    compileFilterTree(inner, {
      compare: (node) => {
        const sub = memberSub(node.path);
        return memberLeaf(dialect, sub, (expression, definition) =>
          comparison(expression, false, definition, node.operator, node.value, `members.${sub.name}`),
        );
      },
      present: (node) => memberLeaf(dialect, memberSub(node.path), (expression, definition) => presence(expression, definition)),
      valuePath: refuseNestedValuePath,
    });

  const json = jsonAccess[dialect];
  return compileFilterTree(filter, {
    compare: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
      if (inDocument(resolved)) return compareInDocument(json, searchColumn, resolved, node.operator, node.value);
      if (resolved.attribute.name === "members") {
        const sub = resolved.subAttribute ?? memberValue;
        return multiValuedComparison(
          (build) => existsMember(memberLeaf(dialect, sub, build)),
          node.operator,
          node.value,
          `members.${sub.name}`,
        );
      }
      return leaf(node.path, (expression, nullable, definition, name) =>
        comparison(expression, nullable, definition, node.operator, node.value, name),
      );
    },
    present: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
      if (inDocument(resolved)) return presentInDocument(json, searchColumn, resolved);
      return leaf(node.path, (expression, _nullable, definition) => presence(expression, definition));
    },
    valuePath: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
      if (inDocument(resolved)) return valueFilterInDocument(json, searchColumn, resolved, node.filter);
      if (resolved.attribute.name !== "members")
        throw ScimError.of("invalidFilter", `"${resolved.attribute.name}" has no values to filter`);
      return existsMember(member(node.filter));
    },
  });
}

/**
 * What a group sort reads: a column, or for an extension attribute (column undefined) the search
 * document. The SCIM core refuses what names no order (meta itself: a singular complex attribute).
 */
function sortSource(
  path: AttributePath,
  resourceType: ResourceTypeDefinition,
): { column: GroupColumn | undefined; resolved: ResolvedAttributePath } {
  const resolved = resolveSortBy(path, resourceType);
  if (resolved.extension !== undefined) return { column: undefined, resolved };
  const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  const column = groupColumns[name];
  if (column === undefined)
    throw ScimError.of(
      "invalidValue",
      `groups can be sorted by ${sortable.join(", ")} or an extension attribute, not "${name}"${derivedWhy(name)}`,
    );
  return { column, resolved };
}

/**
 * ORDER BY for groups: displayName (folded), externalId, id or meta from their columns, an
 * extension attribute from the search document as a user's is sorted (folded where caseExact is
 * false; a multi-valued one by its primary value, else its first); unassigned values last
 * ascending, first descending; ties broken by creation and id.
 */
export function compileGroupSort(
  path: AttributePath,
  order: SortDirection,
  dialect: Dialect,
  resourceType: ResourceTypeDefinition,
): SqlCondition[] {
  const { column, resolved } = sortSource(path, resourceType);
  const key = column === undefined ? documentSortKey(dialect, searchColumn, resolved) : { sql: quoted(column.column), bindings: [] };
  return [
    { sql: `${key.sql} ${order === "descending" ? "DESC NULLS FIRST" : "ASC NULLS LAST"}`, bindings: key.bindings },
    { sql: '"groups"."created_at" ASC', bindings: [] },
    { sql: '"groups"."id" ASC', bindings: [] },
  ];
}

function keysetColumn({ column, nullable }: GroupColumn): SortColumn {
  return { column: column.replace(/^groups\./, ""), sql: quoted(column), nullable };
}

type Sort = { by: AttributePath; order: SortDirection };

/** compileGroupSort's order as a keyset, or the path of the extension attribute it sorts by, which has no column to seek on. */
function keysetOfSort(
  sort: Sort | undefined,
  resourceType: ResourceTypeDefinition,
): { keyset: KeysetColumn[] } | { byDocument: AttributePath } {
  const createdAt = keysetColumn(createdAtColumn);
  const id = keysetColumn(idColumn);
  if (sort === undefined) return { keyset: keysetOf(undefined, "ascending", createdAt, id) };
  const { column, resolved } = sortSource(sort.by, resourceType);
  if (column === undefined) return { byDocument: resolved.path };
  return { keyset: keysetOf(keysetColumn(column), sort.order, createdAt, id) };
}

/**
 * The keyset cursor paging lists groups in: compileGroupSort's order, on columns only. As for
 * users (compile-user-sort.ts), a sort by a document attribute is refused: its key (folded JSON,
 * a primary value) can neither be carried in a token and compared identically on both stores nor
 * served by an index.
 */
export function groupKeyset(sort: Sort | undefined, resourceType: ResourceTypeDefinition = groupResourceType): KeysetColumn[] {
  const found = keysetOfSort(sort, resourceType);
  if ("byDocument" in found) {
    throw invalidArgument(
      `cursor paging cannot sort groups by "${formatAttributePath(found.byDocument)}"; sort by ${sortable.join(", ")}, or page with start_index`,
    );
  }
  return found.keyset;
}

/**
 * The keyset an offset listing can continue a startIndex walk on (pageByOffset): groupKeyset's,
 * or undefined when the sort is by an extension attribute, which such a walk pages by OFFSET.
 */
export function offsetGroupKeyset(sort: Sort | undefined, resourceType: ResourceTypeDefinition): KeysetColumn[] | undefined {
  const found = keysetOfSort(sort, resourceType);
  return "keyset" in found ? found.keyset : undefined;
}
