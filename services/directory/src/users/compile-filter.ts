import {
  parseDateTime,
  resolveAttributePath,
  ScimError,
  toComparableText,
  userResourceType,
  type AttributeDefinition,
  type AttributePath,
  type ComparisonOperator,
  type Filter,
  type FilterValue,
} from "@scimgw/scim";

/** A parameterised SQL condition: values only ever travel as bindings. */
export interface SqlCondition {
  sql: string;
  bindings: unknown[];
}

export type Dialect = "sqlite" | "postgres";

/**
 * The attributes stored in columns of their own (indexed, or at least typed). `nullable` columns
 * get an explicit IS NOT NULL so a comparison is never NULL (SQL's NULL would otherwise turn
 * `not (...)` around); NOT NULL columns stay bare so the planner can use their indexes.
 */
export const userColumns: Record<string, { column: string; nullable: boolean }> = {
  id: { column: "id", nullable: false },
  userName: { column: "user_name_key", nullable: false },
  externalId: { column: "external_id", nullable: true },
  active: { column: "active", nullable: false },
  "meta.created": { column: "created_at", nullable: false },
  "meta.lastModified": { column: "last_modified", nullable: false },
};

const sqlOperators: Partial<Record<ComparisonOperator, string>> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };

/** Escapes LIKE's wildcards so `co "50%_off"` matches those characters literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** How one dialect reads the search document (see search-document.ts). */
interface JsonAccess {
  /** A scalar at a path of the document, as SQL text (strings), or typed for comparison. */
  scalar(source: string, path: string[], type: AttributeDefinition["type"]): SqlCondition;
  /** `EXISTS (SELECT 1 FROM <elements of the array at path> e WHERE <condition on e>)`. */
  existsElement(source: string, path: string[], condition: (element: string) => SqlCondition): SqlCondition;
  /** The source expression of an array element, for `scalar(element, [subAttribute])`. */
  elementSource: string;
}

export function sqlitePath(path: string[]): string {
  return `$${path.map((segment) => `."${segment}"`).join("")}`;
}

export function postgresPath(path: string[]): string {
  return `{${path.map((segment) => `"${segment}"`).join(",")}}`;
}

const jsonAccess: Record<Dialect, JsonAccess> = {
  sqlite: {
    scalar: (source, path, _type) => (path.length === 0 ? { sql: source, bindings: [] } : { sql: `json_extract(${source}, ?)`, bindings: [sqlitePath(path)] }),
    existsElement(source, path, condition) {
      const inner = condition("e.value");
      return { sql: `EXISTS (SELECT 1 FROM json_each(${source}, ?) AS e WHERE ${inner.sql})`, bindings: [sqlitePath(path), ...inner.bindings] };
    },
    elementSource: "e.value",
  },
  postgres: {
    scalar(source, path, type) {
      // #>> yields text; comparisons need the attribute's own type back.
      const text = `(${source} #>> ?::text[])`;
      const typed = type === "boolean" ? `${text}::boolean` : type === "integer" || type === "decimal" ? `${text}::numeric` : `${text} COLLATE "C"`;
      return { sql: typed, bindings: [postgresPath(path)] };
    },
    existsElement(source, path, condition) {
      const inner = condition("e.value");
      return { sql: `EXISTS (SELECT 1 FROM jsonb_array_elements(${source} #> ?::text[]) AS e(value) WHERE ${inner.sql})`, bindings: [postgresPath(path), ...inner.bindings] };
    },
    elementSource: "e.value",
  },
};

/** The literal a comparison binds, in the form the stored side has (folded, normalised, typed). */
function literal(definition: AttributeDefinition, value: FilterValue, operator: ComparisonOperator, name: string): unknown {
  switch (definition.type) {
    case "boolean":
      if (typeof value !== "boolean") throw ScimError.of("invalidFilter", `"${name}" is a boolean; compare it with true or false, not ${JSON.stringify(value)}`);
      if (operator !== "eq" && operator !== "ne") throw ScimError.of("invalidFilter", `"${name}" is a boolean and supports only eq and ne, not ${operator}`);
      return value;
    case "integer":
    case "decimal":
      if (typeof value !== "number") throw ScimError.of("invalidFilter", `"${name}" is a number; compare it with a number, not ${JSON.stringify(value)}`);
      if (operator === "co" || operator === "sw" || operator === "ew") throw ScimError.of("invalidFilter", `${operator} applies to strings, not to the number "${name}"`);
      return value;
    case "dateTime": {
      const instant = typeof value === "string" ? parseDateTime(value) : undefined;
      if (instant === undefined) throw ScimError.of("invalidFilter", `"${name}" is a dateTime; compare it with an xsd:dateTime such as "2026-01-01T00:00:00Z", not ${JSON.stringify(value)}`);
      return instant.date.toISOString();
    }
    default:
      if (typeof value !== "string") throw ScimError.of("invalidFilter", `"${name}" is a string; compare it with a string, not ${JSON.stringify(value)}`);
      return toComparableText(value, definition.caseExact);
  }
}

/** One comparison of an SQL expression known to hold values of `definition`'s type. */
export function comparison(expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, operator: ComparisonOperator, value: FilterValue, name: string): SqlCondition {
  // `eq null` asks for "unassigned" (RFC 7643 §2.5).
  if (value === null && (operator === "eq" || operator === "ne")) {
    return { sql: `${expression.sql} IS ${operator === "eq" ? "" : "NOT "}NULL`, bindings: expression.bindings };
  }
  const bound = literal(definition, value, operator, name);
  const sqlOperator = sqlOperators[operator];
  if (operator === "ne") {
    // ne also matches an unassigned attribute, as the in-memory evaluator does.
    return { sql: `(${expression.sql} IS NULL OR ${expression.sql} <> ?)`, bindings: [...expression.bindings, ...expression.bindings, bound] };
  }
  const guard = nullable ? `${expression.sql} IS NOT NULL AND ` : "";
  const guardBindings = nullable ? expression.bindings : [];
  if (sqlOperator !== undefined) {
    return { sql: `(${guard}${expression.sql} ${sqlOperator} ?)`, bindings: [...guardBindings, ...expression.bindings, bound] };
  }
  const text = bound as string;
  const pattern = operator === "co" ? `%${escapeLike(text)}%` : operator === "sw" ? `${escapeLike(text)}%` : `%${escapeLike(text)}`;
  return { sql: `(${guard}${expression.sql} LIKE ? ESCAPE '\\')`, bindings: [...guardBindings, ...expression.bindings, pattern] };
}

export function presence(expression: SqlCondition, definition: AttributeDefinition): SqlCondition {
  const textual = definition.type === "string" || definition.type === "reference" || definition.type === "binary";
  if (!textual) return { sql: `${expression.sql} IS NOT NULL`, bindings: expression.bindings };
  return { sql: `(${expression.sql} IS NOT NULL AND ${expression.sql} <> '')`, bindings: [...expression.bindings, ...expression.bindings] };
}

export function and(left: SqlCondition, right: SqlCondition, operator: "AND" | "OR"): SqlCondition {
  return { sql: `(${left.sql} ${operator} ${right.sql})`, bindings: [...left.bindings, ...right.bindings] };
}

/** The document path of an attribute: extension attributes live under their schema URN's key. */
export function documentPath(path: AttributePath): string[] {
  return path.schema === undefined ? [path.attribute] : [path.schema, path.attribute];
}

type Node<K extends Filter["kind"]> = Extract<Filter, { kind: K }>;

/** What a resource's filter compiler supplies: its leaves. The boolean structure is shared. */
export interface FilterLeaves {
  compare(node: Node<"compare">): SqlCondition;
  present(node: Node<"present">): SqlCondition;
  valuePath(node: Node<"valuePath">): SqlCondition;
}

/** Compiles and/or/not around the leaves a resource supplies. */
export function compileFilterTree(node: Filter, leaves: FilterLeaves): SqlCondition {
  switch (node.kind) {
    case "compare":
      return leaves.compare(node);
    case "present":
      return leaves.present(node);
    case "valuePath":
      return leaves.valuePath(node);
    case "and":
    case "or":
      return and(compileFilterTree(node.left, leaves), compileFilterTree(node.right, leaves), node.kind === "and" ? "AND" : "OR");
    case "not": {
      const operand = compileFilterTree(node.operand, leaves);
      return { sql: `NOT ${operand.sql}`, bindings: operand.bindings };
    }
  }
}

/** The valuePath leaf inside a value filter: nesting is not SCIM (RFC 7644 §3.4.2.2). */
export function refuseNestedValuePath(): SqlCondition {
  throw ScimError.of("invalidFilter", "value filters cannot be nested");
}

/**
 * Compiles a resolved SCIM filter over users into one parameterised SQL condition. Column-backed
 * attributes use their (indexed) columns; every other attribute is read from the search document,
 * which is a scan within the tenant (correct, but unindexed: README says which filters are fast).
 */
export function compileUserFilter(filter: Filter, dialect: Dialect): SqlCondition {
  const json = jsonAccess[dialect];
  const source = "search";

  function leaf(path: AttributePath, build: (expression: SqlCondition, nullable: boolean, definition: AttributeDefinition, name: string) => SqlCondition): SqlCondition {
    const resolved = resolveAttributePath(path, userResourceType);
    const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
    const column = resolved.extension === undefined ? userColumns[name] : undefined;
    if (column !== undefined) {
      const definition = resolved.subAttribute ?? resolved.attribute;
      return build({ sql: `"${column.column}"`, bindings: [] }, column.nullable, definition, name);
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
    compare: (node) => leaf(node.path, (expression, nullable, definition, name) => comparison(expression, nullable, definition, node.operator, node.value, name)),
    present: (node) => leaf(node.path, (expression, _nullable, definition) => presence(expression, definition)),
    valuePath: (node) => {
      const resolved = resolveAttributePath(node.path, userResourceType);
      return json.existsElement(source, documentPath(resolved.path), (elementSource) => element(node.filter, resolved.attribute, elementSource));
    },
  });
}
