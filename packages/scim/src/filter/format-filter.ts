import { formatAttributePath } from "../schema/resolve-attribute-path.js";
import type { Filter } from "./filter-ast.js";

/** How tightly each node binds: RFC 7644 §3.4.2.2 puts "and" above "or". */
function precedence(filter: Filter): number {
  if (filter.kind === "or") return 1;
  if (filter.kind === "and") return 2;
  return 3;
}

/**
 * The canonical text of a filter: lower-case operators, JSON literals, parentheses only where
 * precedence needs them. `parseFilter(formatFilter(f))` gives back `f`.
 */
export function formatFilter(filter: Filter): string {
  switch (filter.kind) {
    case "compare":
      return `${formatAttributePath(filter.path)} ${filter.operator} ${JSON.stringify(filter.value)}`;
    case "present":
      return `${formatAttributePath(filter.path)} pr`;
    case "and":
    case "or":
      return `${operand(filter.left, filter, false)} ${filter.kind} ${operand(filter.right, filter, true)}`;
    case "not":
      return `not (${formatFilter(filter.operand)})`;
    case "valuePath":
      return `${formatAttributePath(filter.path)}[${formatFilter(filter.filter)}]`;
  }
}

/** Parenthesises an operand that binds more loosely, or equally on the right (the parser groups to the left). */
function operand(child: Filter, parent: Filter, isRight: boolean): string {
  const text = formatFilter(child);
  const needsParentheses = isRight ? precedence(child) <= precedence(parent) : precedence(child) < precedence(parent);
  return needsParentheses ? `(${text})` : text;
}
