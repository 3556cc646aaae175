import type { AttributeDefinition } from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import type { SqlCondition } from "./sql-condition.js";

/** How one dialect reads a JSON document column (a user's or group's search document, see search-document.ts). */
export interface JsonAccess {
  /** A scalar at a path of the document, as SQL text (strings), or typed for comparison; marked fromDocument. */
  scalar(source: string, path: string[], type: AttributeDefinition["type"]): SqlCondition;
  /** `EXISTS (SELECT 1 FROM <elements of the array at path> e WHERE <condition on e>)`. */
  existsElement(source: string, path: string[], condition: (element: string) => SqlCondition): SqlCondition;
  /**
   * The same over a single object at path (a single-valued complex attribute such as the
   * enterprise manager): true when it is present and satisfies the condition, as a value filter
   * on a single value reads (RFC 7644 §3.4.2.2).
   */
  existsObject(source: string, path: string[], condition: (object: string) => SqlCondition): SqlCondition;
  /** The source expression of an array element, for `scalar(element, [subAttribute])`. */
  elementSource: string;
}

export function sqlitePath(path: string[]): string {
  return `$${path.map((segment) => `."${segment}"`).join("")}`;
}

export function postgresPath(path: string[]): string {
  return `{${path.map((segment) => `"${segment}"`).join(",")}}`;
}

export const jsonAccess: Record<Dialect, JsonAccess> = {
  sqlite: {
    scalar: (source, path, _type) =>
      path.length === 0
        ? { sql: source, bindings: [], fromDocument: true }
        : { sql: `json_extract(${source}, ?)`, bindings: [sqlitePath(path)], fromDocument: true },
    existsElement(source, path, condition) {
      const inner = condition("e.value");
      return {
        sql: `EXISTS (SELECT 1 FROM json_each(${source}, ?) AS e WHERE ${inner.sql})`,
        bindings: [sqlitePath(path), ...inner.bindings],
      };
    },
    existsObject(source, path, condition) {
      const inner = condition("o.value");
      return {
        sql: `EXISTS (SELECT 1 FROM (SELECT json_extract(${source}, ?) AS value) AS o WHERE json_type(o.value) = 'object' AND ${inner.sql})`,
        bindings: [sqlitePath(path), ...inner.bindings],
      };
    },
    elementSource: "e.value",
  },
  postgres: {
    scalar(source, path, type) {
      // #>> yields text; comparisons need the attribute's own type back.
      const text = `(${source} #>> ?::text[])`;
      const typed =
        type === "boolean" ? `${text}::boolean` : type === "integer" || type === "decimal" ? `${text}::numeric` : `${text} COLLATE "C"`;
      return { sql: typed, bindings: [postgresPath(path)], fromDocument: true };
    },
    existsElement(source, path, condition) {
      const inner = condition("e.value");
      return {
        sql: `EXISTS (SELECT 1 FROM jsonb_array_elements(${source} #> ?::text[]) AS e(value) WHERE ${inner.sql})`,
        bindings: [postgresPath(path), ...inner.bindings],
      };
    },
    existsObject(source, path, condition) {
      const inner = condition("o.value");
      return {
        sql: `EXISTS (SELECT 1 FROM (SELECT ${source} #> ?::text[] AS value) AS o WHERE jsonb_typeof(o.value) = 'object' AND ${inner.sql})`,
        bindings: [postgresPath(path), ...inner.bindings],
      };
    },
    elementSource: "e.value",
  },
};
