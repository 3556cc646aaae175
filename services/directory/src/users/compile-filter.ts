import type { Knex } from "knex";
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from "@scimgw/scim";
import { ScimError } from "@scimgw/scim";
import { userNameKey } from "./user-name-key.js";

/**
 * How each filterable User attribute is stored. Only attributes with a column are filterable
 * here; the long tail of the document is not yet (a filter on it is a clear invalidFilter).
 * `fold` marks caseExact-false strings, compared through their folded key column.
 */
interface Column {
  column: string;
  type: "string" | "boolean" | "dateTime";
  fold?: (value: string) => string;
}

const userColumns: Record<string, Column> = {
  id: { column: "id", type: "string" },
  userName: { column: "user_name_key", type: "string", fold: userNameKey },
  externalId: { column: "external_id", type: "string" },
  active: { column: "active", type: "boolean" },
  "meta.created": { column: "created_at", type: "dateTime" },
  "meta.lastModified": { column: "last_modified", type: "dateTime" },
};

const comparison: Partial<Record<ComparisonOperator, string>> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };

function columnOf(path: AttributePath): Column {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  const column = userColumns[name];
  if (column === undefined || (path.schema !== undefined && path.schema !== "urn:ietf:params:scim:schemas:core:2.0:User")) {
    throw ScimError.of("invalidFilter", `filtering on "${name}" is not supported; filterable attributes: ${Object.keys(userColumns).join(", ")}`);
  }
  return column;
}

/** Escapes LIKE's wildcards so `co "50%_off"` matches those characters literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function literal(column: Column, value: FilterValue, operator: ComparisonOperator): string | boolean {
  switch (column.type) {
    case "boolean":
      if (typeof value !== "boolean") throw ScimError.of("invalidFilter", `"${column.column}" compares with true or false, not ${JSON.stringify(value)}`);
      if (operator !== "eq" && operator !== "ne") throw ScimError.of("invalidFilter", `booleans support only eq and ne, not ${operator}`);
      return value;
    case "dateTime": {
      if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
        throw ScimError.of("invalidFilter", `a dateTime comparison needs an ISO 8601 string, not ${JSON.stringify(value)}`);
      }
      return new Date(value).toISOString();
    }
    case "string":
      if (typeof value !== "string") throw ScimError.of("invalidFilter", `a string attribute compares with a string, not ${JSON.stringify(value)}`);
      return column.fold ? column.fold(value) : value;
  }
}

function applyComparison(builder: Knex.QueryBuilder, path: AttributePath, operator: ComparisonOperator, value: FilterValue): void {
  const column = columnOf(path);
  // `eq null` is how a client asks for "unassigned" (RFC 7643 §2.5).
  if (value === null && (operator === "eq" || operator === "ne")) {
    if (operator === "eq") builder.whereNull(column.column);
    else builder.whereNotNull(column.column);
    return;
  }
  const bound = literal(column, value, operator);
  const sqlOperator = comparison[operator];
  if (sqlOperator !== undefined) {
    builder.where(column.column, sqlOperator, bound);
    return;
  }
  if (typeof bound !== "string") throw ScimError.of("invalidFilter", `${operator} applies to strings only`);
  const pattern = operator === "co" ? `%${escapeLike(bound)}%` : operator === "sw" ? `${escapeLike(bound)}%` : `%${escapeLike(bound)}`;
  builder.whereRaw(`?? LIKE ? ESCAPE '\\'`, [column.column, pattern]);
}

/**
 * Adds a SCIM filter to a query as parameterised SQL: values are always bound, never spliced
 * into the text, and the filter never runs in memory.
 */
export function applyUserFilter(builder: Knex.QueryBuilder, filter: Filter): void {
  switch (filter.kind) {
    case "compare":
      applyComparison(builder, filter.path, filter.operator, filter.value);
      return;
    case "present": {
      // pr: the attribute has a non-empty value (RFC 7644 §3.4.2.2).
      const column = columnOf(filter.path);
      builder.whereNotNull(column.column);
      if (column.type === "string") builder.andWhere(column.column, "<>", "");
      return;
    }
    case "and":
      builder.where((inner) => applyUserFilter(inner, filter.left)).andWhere((inner) => applyUserFilter(inner, filter.right));
      return;
    case "or":
      builder.where((inner) => applyUserFilter(inner, filter.left)).orWhere((inner) => applyUserFilter(inner, filter.right));
      return;
    case "not":
      builder.whereNot((inner) => applyUserFilter(inner, filter.operand));
      return;
    case "valuePath":
      throw ScimError.of("invalidFilter", `filtering inside "${filter.path.attribute}" values is not supported`);
  }
}
