import {
  parseDateTime,
  ScimError,
  toComparableText,
  type AttributeDefinition,
  type ComparisonOperator,
  type Filter,
  type FilterValue,
} from "@scimgw/scim";
import type { SqlCondition } from "./sql-condition.js";
import { documentDateTime } from "../search/document-date-time.js";

const sqlOperators: Partial<Record<ComparisonOperator, string>> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };

/** Escapes LIKE's wildcards so `co "50%_off"` matches those characters literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The literal a comparison binds, in the form the stored side has (folded, normalised, typed). */
function literal(
  definition: AttributeDefinition,
  value: FilterValue,
  operator: ComparisonOperator,
  name: string,
  fromDocument: boolean,
): unknown {
  switch (definition.type) {
    case "boolean":
      if (typeof value !== "boolean")
        throw ScimError.of("invalidFilter", `"${name}" is a boolean; compare it with true or false, not ${JSON.stringify(value)}`);
      if (operator !== "eq" && operator !== "ne")
        throw ScimError.of("invalidFilter", `"${name}" is a boolean and supports only eq and ne, not ${operator}`);
      return value;
    case "integer":
    case "decimal":
      if (typeof value !== "number")
        throw ScimError.of("invalidFilter", `"${name}" is a number; compare it with a number, not ${JSON.stringify(value)}`);
      if (operator === "co" || operator === "sw" || operator === "ew")
        throw ScimError.of("invalidFilter", `${operator} applies to strings, not to the number "${name}"`);
      return value;
    case "dateTime": {
      const instant = typeof value === "string" ? parseDateTime(value) : undefined;
      if (instant === undefined)
        throw ScimError.of(
          "invalidFilter",
          `"${name}" is a dateTime; compare it with an xsd:dateTime such as "2026-01-01T00:00:00Z", not ${JSON.stringify(value)}`,
        );
      return fromDocument ? documentDateTime(instant) : instant.date.toISOString();
    }
    default:
      if (typeof value !== "string")
        throw ScimError.of("invalidFilter", `"${name}" is a string; compare it with a string, not ${JSON.stringify(value)}`);
      // PostgreSQL text cannot hold U+0000 and fails the whole query (found by fuzzing), so the same
      // filter is refused on every store.
      if (value.includes("\u0000")) throw ScimError.of("invalidFilter", `"${name}" is compared with a string containing U+0000`);
      return toComparableText(value, definition.caseExact);
  }
}

/** One comparison of an SQL expression known to hold values of `definition`'s type. */
export function comparison(
  expression: SqlCondition,
  nullable: boolean,
  definition: AttributeDefinition,
  operator: ComparisonOperator,
  value: FilterValue,
  name: string,
): SqlCondition {
  // `eq null` asks for "unassigned" (RFC 7643 §2.5), which is `not pr`: an empty string is as
  // unassigned as null, as the SCIM core reads it (found by the filter fuzzer).
  if (value === null && (operator === "eq" || operator === "ne")) {
    const present = presence(expression, definition);
    return operator === "ne" ? present : { sql: `NOT (${present.sql})`, bindings: present.bindings };
  }
  const bound = literal(definition, value, operator, name, expression.fromDocument === true);
  const sqlOperator = sqlOperators[operator];
  if (operator === "ne") {
    // ne also matches an unassigned attribute, as the in-memory evaluator does.
    return {
      sql: `(${expression.sql} IS NULL OR ${expression.sql} <> ?)`,
      bindings: [...expression.bindings, ...expression.bindings, bound],
    };
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

/** Wraps a condition on one value of a multi-valued attribute in "some value satisfies it" (an EXISTS). */
export type OverValues = (build: (expression: SqlCondition, definition: AttributeDefinition) => SqlCondition) => SqlCondition;

/**
 * A comparison on a multi-valued attribute, read as the SCIM core's evaluator reads it (RFC 7644
 * §3.4.2.2): some value satisfies it; but `eq null` is "no value has content" (`not pr`) and `ne
 * null` is `pr`; and `ne x` also matches when no value is assigned at all (an absent attribute is
 * "not identical" to x), while a value without the compared sub-attribute is not one of its values.
 */
export function multiValuedComparison(
  overValues: OverValues,
  operator: ComparisonOperator,
  value: FilterValue,
  name: string,
): SqlCondition {
  if (value === null && (operator === "eq" || operator === "ne")) {
    const present = overValues((expression, definition) => presence(expression, definition));
    return operator === "ne" ? present : { sql: `NOT (${present.sql})`, bindings: present.bindings };
  }
  if (operator === "ne") {
    const assigned = (expression: SqlCondition): SqlCondition => ({ sql: `${expression.sql} IS NOT NULL`, bindings: expression.bindings });
    const anyAssigned = overValues(assigned);
    const someDiffers = overValues((expression, definition) =>
      and(assigned(expression), comparison(expression, false, definition, "ne", value, name), "AND"),
    );
    return { sql: `(NOT (${anyAssigned.sql}) OR ${someDiffers.sql})`, bindings: [...anyAssigned.bindings, ...someDiffers.bindings] };
  }
  return overValues((expression, definition) => comparison(expression, true, definition, operator, value, name));
}

function and(left: SqlCondition, right: SqlCondition, operator: "AND" | "OR"): SqlCondition {
  return { sql: `(${left.sql} ${operator} ${right.sql})`, bindings: [...left.bindings, ...right.bindings] };
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
