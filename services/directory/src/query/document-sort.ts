import type { ResolvedAttributePath } from "@scimgw/scim";
import type { Dialect } from "../database/open-database.js";
import { postgresPath, sqlitePath } from "./json-access.js";
import { documentPath } from "../search/search-document.js";
import type { SqlCondition } from "./sql-condition.js";

/**
 * The sort key of an attribute read from the search document in `source` (search-document.ts),
 * shared by users and groups. Strings are in their folded form where caseExact is false, so they
 * sort as a person expects, and compare by code point on both stores (PostgreSQL's COLLATE "C",
 * SQLite's default); a multi-valued attribute sorts by its primary value, else its first, in the
 * representation's order (RFC 7644 §3.4.2.3). NULL when unassigned; the caller places NULLs.
 */
export function documentSortKey(dialect: Dialect, source: string, resolved: ResolvedAttributePath): SqlCondition {
  if (resolved.attribute.multiValued) {
    const sub = resolved.subAttribute?.name ?? (resolved.attribute.subAttributes ? "value" : undefined);
    const arrayPath = documentPath(resolved.path);
    return dialect === "sqlite"
      ? {
          // Only an object has a primary: json_extract on a string element (a multi-valued string
          // extension attribute) fails the whole query as malformed JSON, so CASE keeps it away.
          sql: `(SELECT ${sub ? "json_extract(e.value, ?)" : "e.value"} FROM json_each(${source}, ?) AS e ORDER BY (CASE WHEN e.type = 'object' THEN json_extract(e.value, '$.primary') IS 1 ELSE 0 END) DESC, e.key LIMIT 1)`,
          bindings: [...(sub ? [sqlitePath([sub])] : []), sqlitePath(arrayPath)],
        }
      : {
          sql: `(SELECT e.value #>> ?::text[] FROM jsonb_array_elements(${source} #> ?::text[]) WITH ORDINALITY AS e(value, n) ORDER BY (e.value #>> '{primary}') = 'true' DESC NULLS LAST, n LIMIT 1) COLLATE "C"`,
          bindings: [postgresPath(sub ? [sub] : []), postgresPath(arrayPath)],
        };
  }
  const key = [...documentPath(resolved.path), ...(resolved.subAttribute ? [resolved.subAttribute.name] : [])];
  const type = (resolved.subAttribute ?? resolved.attribute).type;
  if (dialect === "sqlite") return { sql: `json_extract(${source}, ?)`, bindings: [sqlitePath(key)] };
  return {
    sql:
      type === "integer" || type === "decimal"
        ? `(${source} #>> ?::text[])::numeric`
        : type === "boolean"
          ? `(${source} #>> ?::text[])::boolean`
          : `(${source} #>> ?::text[]) COLLATE "C"`,
    bindings: [postgresPath(key)],
  };
}
