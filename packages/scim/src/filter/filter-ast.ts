import type { AttributePath } from "../schema/attribute-path.js";

/**
 * The typed tree of a SCIM filter (RFC 7644 §3.4.2.2). `parseFilter` builds it from text;
 * `resolveFilter` rewrites its attribute names to the schema's canonical spelling.
 */

/** A filter literal: JSON's string, number, boolean or null (dateTimes are strings). */
export type FilterValue = string | number | boolean | null;

export type ComparisonOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export type Filter =
  | { readonly kind: "compare"; readonly path: AttributePath; readonly operator: ComparisonOperator; readonly value: FilterValue }
  | { readonly kind: "present"; readonly path: AttributePath }
  | { readonly kind: "and"; readonly left: Filter; readonly right: Filter }
  | { readonly kind: "or"; readonly left: Filter; readonly right: Filter }
  | { readonly kind: "not"; readonly operand: Filter }
  /**
   * `attribute[filter]`: some value of the multi-valued attribute satisfies `filter`. Paths inside
   * `filter` are relative: `{attribute: "type"}` names the sub-attribute `type` of `path`.
   */
  | { readonly kind: "valuePath"; readonly path: AttributePath; readonly filter: Filter };
