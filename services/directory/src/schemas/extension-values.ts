import type { DataDependentRefusal } from "@scimgw/scim";
import type { Knex } from "knex";
import { dialectOf, type Dialect } from "../database/open-database.js";
import { postgresPath, sqlitePath } from "../query/json-access.js";
import type { SqlCondition } from "../query/sql-condition.js";

/**
 * Where a resource type's extension values are read from: users from their search document (SCIM
 * JSON, the URN a top-level key: search-document.ts), groups from their stored message (protobuf
 * JSON, the URN a key of `extensions`: group-row.ts), as these checks were written before groups
 * had a search document and both hold the same values. Only presence is asked, which folding does
 * not change.
 */
function sourceOf(resourceType: "User" | "Group", dialect: Dialect): { table: string; source: string; prefix: string[] } {
  if (resourceType === "User") return { table: "users", source: '"search"', prefix: [] };
  return { table: "groups", source: dialect === "postgres" ? '("resource"::jsonb)' : '"resource"', prefix: ["extensions"] };
}

/**
 * Whether a JSON document holds a value at a path: present, not null, and not an empty list or
 * object (RFC 7643 §2.5: those mean unassigned).
 */
function holdsAt(dialect: Dialect, source: string, path: string[]): SqlCondition {
  if (dialect === "sqlite") {
    const at = sqlitePath(path);
    return {
      sql: `(CASE json_type(${source}, ?) WHEN 'null' THEN 0 WHEN 'array' THEN json_array_length(${source}, ?) > 0 WHEN 'object' THEN json_extract(${source}, ?) <> '{}' ELSE json_type(${source}, ?) IS NOT NULL END)`,
      bindings: [at, at, at, at],
    };
  }
  const value = `(${source} #> ?::text[])`;
  const at = postgresPath(path);
  return {
    sql: `(CASE jsonb_typeof(${value}) WHEN 'null' THEN false WHEN 'array' THEN jsonb_array_length(${value}) > 0 WHEN 'object' THEN ${value} <> '{}'::jsonb ELSE jsonb_typeof(${value}) IS NOT NULL END)`,
    bindings: [at, at, at, at],
  };
}

/** Some element of the list at `path` satisfies `condition` (on the element's source); false when it is not a list. */
function someElement(dialect: Dialect, source: string, path: string[], condition: (element: string) => SqlCondition): SqlCondition {
  const inner = condition("e.value");
  if (dialect === "sqlite") {
    const at = sqlitePath(path);
    return {
      sql: `(json_type(${source}, ?) = 'array' AND EXISTS (SELECT 1 FROM json_each(${source}, ?) AS e WHERE ${inner.sql}))`,
      bindings: [at, at, ...inner.bindings],
    };
  }
  const at = postgresPath(path);
  // CASE, so jsonb_array_elements never meets a scalar or an object (which it refuses).
  return {
    sql: `(CASE WHEN jsonb_typeof(${source} #> ?::text[]) = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${source} #> ?::text[]) AS e(value) WHERE ${inner.sql}) ELSE false END)`,
    bindings: [at, at, ...inner.bindings],
  };
}

const not = (condition: SqlCondition): SqlCondition => ({ sql: `NOT ${condition.sql}`, bindings: condition.bindings });
const and = (a: SqlCondition, b: SqlCondition): SqlCondition => ({
  sql: `(${a.sql} AND ${b.sql})`,
  bindings: [...a.bindings, ...b.bindings],
});

/**
 * The condition under which a resource makes the refusal apply: it holds a value at the path
 * (`holds`), or holds the path's parent without a value at the path (`lacks`). A path is one
 * attribute, or a complex attribute and one of its sub-attributes (RFC 7643 §2.3.8: one level).
 */
function refusingCondition(dialect: Dialect, source: string, base: string[], refusal: DataDependentRefusal): SqlCondition {
  const [first, second] = refusal.path;
  const wanted = (at: string, path: string[]) => (refusal.when === "holds" ? holdsAt(dialect, at, path) : not(holdsAt(dialect, at, path)));
  if (first === undefined) return wanted(source, base); // the extension itself (only `lacks` is asked of it)
  const firstPath = [...base, first.name];
  if (second === undefined) {
    return refusal.when === "holds" ? wanted(source, firstPath) : and(holdsAt(dialect, source, base), wanted(source, firstPath));
  }
  if (first.multiValued) return someElement(dialect, source, firstPath, (element) => wanted(element, [second.name]));
  const secondPath = [...firstPath, second.name];
  return refusal.when === "holds" ? wanted(source, secondPath) : and(holdsAt(dialect, source, firstPath), wanted(source, secondPath));
}

/**
 * Whether any of the tenant's resources of the type makes a data-dependent refusal apply (one
 * indexed scan of the tenant's rows, stopping at the first match). `urn` is the key the values
 * are stored under: the extension's id as previously registered.
 */
export async function dataRefuses(
  trx: Knex.Transaction,
  tenantId: string,
  resourceType: "User" | "Group",
  urn: string,
  refusal: DataDependentRefusal,
): Promise<boolean> {
  const dialect = dialectOf(trx);
  const { table, source, prefix } = sourceOf(resourceType, dialect);
  const condition = refusingCondition(dialect, source, [...prefix, urn], refusal);
  const found = await trx(table)
    .where("tenant_id", tenantId)
    .andWhereRaw(condition.sql, condition.bindings as Knex.RawBinding[])
    .first(trx.raw("1 AS found"));
  return found !== undefined;
}
