import {
  groupResourceType,
  resolveAttributePath,
  resolveSortBy,
  ScimError,
  type AttributeDefinition,
  type AttributePath,
  type Filter,
  type ResolvedAttributePath,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { requireValue } from "../errors/require-value.js";
import { comparison, compileFilterTree, multiValuedComparison, presence, refuseNestedValuePath } from "../query/compile-filter-tree.js";
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

/** The attributes a group is filtered and sorted by, as error details name them. */
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
 * Groups have columns and no search document (users have one, search-document.ts), so an extension
 * attribute of a tenant's groups is stored and returned but cannot be compared in SQL; refused
 * rather than answered wrongly.
 */
function extensionRefusal(resolved: ResolvedAttributePath, doing: string): string | undefined {
  if (resolved.extension === undefined) return undefined;
  const sub = resolved.subAttribute === undefined ? "" : `.${resolved.subAttribute.name}`;
  return `${doing} groups by the extension attribute "${resolved.extension}:${resolved.attribute.name}${sub}" is not supported: a group's extension attributes are stored and returned, but groups keep no search document to compare them in; ${doing} by ${sortable.join(", ")}`;
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
 * unique-indexed), externalId, id and meta from columns; `members[value eq "id"]` and friends as an
 * EXISTS over the membership rows' (tenant, member) index, so finding a user's groups never reads a
 * whole group.
 */
export function compileGroupFilter(filter: Filter, dialect: Dialect, resourceType: ResourceTypeDefinition): SqlCondition {
  function leaf(
    path: AttributePath,
    build: (expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, name: string) => SqlCondition,
  ): SqlCondition {
    const resolved = resolveAttributePath(path, resourceType);
    const refusal = extensionRefusal(resolved, "filtering");
    if (refusal !== undefined) throw ScimError.of("invalidFilter", refusal);
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
        `filtering groups on "${name}" is not supported${derivedWhy(name)}; filterable: ${[...sortable, "members.value", "members.type"].join(", ")}`,
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

  return compileFilterTree(filter, {
    compare: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
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
    present: (node) => leaf(node.path, (expression, _nullable, definition) => presence(expression, definition)),
    valuePath: (node) => {
      const resolved = resolveAttributePath(node.path, resourceType);
      const refusal = extensionRefusal(resolved, "filtering");
      if (refusal !== undefined) throw ScimError.of("invalidFilter", refusal);
      if (resolved.attribute.name !== "members")
        throw ScimError.of("invalidFilter", `"${resolved.attribute.name}" has no values to filter`);
      return existsMember(member(node.filter));
    },
  });
}

function sortColumn(path: AttributePath, resourceType: ResourceTypeDefinition): GroupColumn {
  // The SCIM core refuses what names no order (meta itself: a singular complex attribute).
  const resolved = resolveSortBy(path, resourceType);
  const refusal = extensionRefusal(resolved, "sorting");
  if (refusal !== undefined) throw ScimError.of("invalidValue", refusal);
  const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  const column = groupColumns[name];
  if (column === undefined)
    throw ScimError.of("invalidValue", `groups can be sorted by ${sortable.join(", ")}, not "${name}"${derivedWhy(name)}`);
  return column;
}

/** ORDER BY for groups: displayName (folded), externalId, id or meta; ties broken by creation and id. */
export function compileGroupSort(path: AttributePath, order: SortDirection, resourceType: ResourceTypeDefinition): string[] {
  const column = sortColumn(path, resourceType);
  return [
    `${quoted(column.column)} ${order === "descending" ? "DESC NULLS FIRST" : "ASC NULLS LAST"}`,
    '"groups"."created_at" ASC',
    '"groups"."id" ASC',
  ];
}

function keysetColumn({ column, nullable }: GroupColumn): SortColumn {
  return { column: column.replace(/^groups\./, ""), sql: quoted(column), nullable };
}

/**
 * The keyset cursor paging lists groups in: compileGroupSort's order. Every sortable group
 * attribute is a text column, so cursor paging sorts by all of them.
 */
export function groupKeyset(
  sort: { by: AttributePath; order: SortDirection } | undefined,
  resourceType: ResourceTypeDefinition = groupResourceType,
): KeysetColumn[] {
  const createdAt = keysetColumn(createdAtColumn);
  const id = keysetColumn(idColumn);
  const column = sort === undefined ? undefined : keysetColumn(sortColumn(sort.by, resourceType));
  return keysetOf(column, sort?.order ?? "ascending", createdAt, id);
}
